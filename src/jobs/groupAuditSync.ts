import { listAllGroupLinks } from "../db/links.js";
import type { Logger } from "../log.js";
import { OpenCloudError } from "../opencloud/index.js";
import { syncGroupAuditLog, type AuditSyncDeps } from "../services/ranks/groupAuditLog.js";
import { UserError } from "../services/userError.js";
import type { WorkScope } from "../shards.js";
import type { Scheduler } from "./scheduler.js";

const QUEUE = "groups.audit-sync";

/** Reads the audit log of every group linked in the scope's guilds on a schedule, in one process at a time. */
export async function scheduleGroupAuditSync(
  scheduler: Scheduler,
  deps: AuditSyncDeps & { logger: Logger },
  options: { intervalSeconds: number; scope: WorkScope },
): Promise<void> {
  await scheduler.every(QUEUE + options.scope.queueSuffix, options.intervalSeconds, async () => {
    for (const { guildId, groupId } of await listAllGroupLinks(deps.db, options.scope.shard)) {
      try {
        const recorded = await syncGroupAuditLog(deps, guildId, groupId);
        if (recorded > 0) deps.logger.info({ guildId, groupId, recorded }, "group changes made outside Warden recorded as cases");
      } catch (error) {
        // Unlinked meanwhile: nothing to do. Another refusal or a fault: the next sync tries again.
        if (error instanceof UserError) continue;
        if (error instanceof OpenCloudError) {
          deps.logger.warn({ err: error, guildId, groupId }, "could not read the group's audit log; the next sync tries again");
          continue;
        }
        throw error;
      }
    }
  });
}
