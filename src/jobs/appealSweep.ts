import type { Logger } from "../log.js";
import type { WorkScope } from "../shards.js";
import { settleInterruptedAccepts } from "../services/appeals/decideAppeal.js";
import { postAppeals, type AppealPostingDeps } from "../services/appeals/postAppeals.js";
import type { Scheduler } from "./scheduler.js";

const QUEUE = "appeals.sweep";

/**
 * The scope's appeals that an outage or a crash left behind, on a schedule,
 * in one process at a time: Accepts a dead process left claimed are settled
 * from their unban case, then open appeals with no staff message (Discord
 * was down at submit time, or the guild had no channel yet) are posted.
 */
export async function scheduleAppealSweep(
  scheduler: Scheduler,
  deps: AppealPostingDeps & { logger: Logger },
  options: { intervalSeconds: number; scope: WorkScope },
): Promise<void> {
  await scheduler.every(QUEUE + options.scope.queueSuffix, options.intervalSeconds, async () => {
    const settled = await settleInterruptedAccepts(deps, options.scope.shard);
    const posted = await postAppeals(deps, { shard: options.scope.shard });
    if (settled + posted > 0) deps.logger.info({ settled, posted }, "appeals swept");
  });
}
