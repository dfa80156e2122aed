import { listAllUniverseLinks } from "../db/links.js";
import type { Logger } from "../log.js";
import type { WorkScope } from "../shards.js";
import { OpenCloudError } from "../opencloud/index.js";
import { syncOutsideBans } from "../services/moderation/outsideBans.js";
import type { ModerationDeps } from "../services/moderation/restrictions.js";
import { UserError } from "../services/userError.js";
import type { Scheduler } from "./scheduler.js";

const QUEUE = "bans.sync";

/** Reads the restriction log of every experience linked in the scope's guilds on a schedule, in one process at a time. */
export async function scheduleOutsideBanSync(
  scheduler: Scheduler,
  deps: ModerationDeps & { logger: Logger },
  options: { intervalSeconds: number; scope: WorkScope },
): Promise<void> {
  await scheduler.every(QUEUE + options.scope.queueSuffix, options.intervalSeconds, async () => {
    for (const { guildId, universeId } of await listAllUniverseLinks(deps.db, options.scope.shard)) {
      try {
        const recorded = await syncOutsideBans(deps, guildId, universeId);
        if (recorded > 0) deps.logger.info({ guildId, universeId, recorded }, "outside bans recorded as cases");
      } catch (error) {
        // Unlinked meanwhile: nothing to do. A key Roblox refuses: the key health check tells the guild.
        if (error instanceof UserError) continue;
        if (error instanceof OpenCloudError) {
          deps.logger.warn({ err: error, guildId, universeId }, "could not read the restriction log; the next sync tries again");
          continue;
        }
        throw error;
      }
    }
  });
}
