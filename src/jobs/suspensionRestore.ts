import { z } from "zod";
import { listActiveSuspensions } from "../db/suspensions.js";
import type { Logger } from "../log.js";
import type { SuspensionTimers } from "../services/ports.js";
import type { ReviewDeps } from "../services/joinRequests/postPendingRequests.js";
import { restoreSuspension } from "../services/ranks/suspensions.js";
import { scopeOfGuild, type Shards, type WorkScope } from "../shards.js";
import type { DelayedQueue, Scheduler } from "./scheduler.js";

const QUEUE = "ranks.restore";
const CATCH_UP_QUEUE = "ranks.restore-catch-up";
/** How often the running suspensions are checked for a restore the queue lacks. */
const CATCH_UP_SECONDS = 300;
const restoreJob = z.object({ suspensionId: z.number().int().positive() });
type RestoreJob = z.infer<typeof restoreJob>;

/**
 * The restore of every suspension, as a pg-boss job due at its end, in the
 * queue of its guild's shard: whichever process runs that shard restores it,
 * once, even across restarts. Queues are attached when the jobs start; a
 * suspension recorded before that (or whose process died before asking) is
 * scheduled by the catch-up, which runs at start and every few minutes.
 */
export class SuspensionRestoreTimers implements SuspensionTimers {
  readonly #queues = new Map<string, DelayedQueue<RestoreJob>>();

  constructor(private readonly shards: Shards) {}

  attach(scope: WorkScope, queue: DelayedQueue<RestoreJob>): void {
    this.#queues.set(scope.queueSuffix, queue);
  }

  async schedule(suspension: { id: number; guildId: string; endsAt: Date }): Promise<void> {
    const queue = this.#queues.get(scopeOfGuild(this.shards, suspension.guildId).queueSuffix);
    await queue?.sendAt(String(suspension.id), { suspensionId: suspension.id }, suspension.endsAt);
  }
}

export async function scheduleSuspensionRestores(
  scheduler: Scheduler,
  deps: ReviewDeps & { logger: Logger },
  timers: SuspensionRestoreTimers,
  scope: WorkScope,
): Promise<void> {
  const queue = await scheduler.delayed(QUEUE + scope.queueSuffix, {
    schema: restoreJob,
    concurrency: 2,
    expireInSeconds: 300,
    run: ({ suspensionId }) => restoreSuspension(deps, suspensionId),
  });
  timers.attach(scope, queue);
  await scheduler.every(CATCH_UP_QUEUE + scope.queueSuffix, CATCH_UP_SECONDS, async () => {
    for (const suspension of await listActiveSuspensions(deps.db, scope.shard)) await timers.schedule(suspension);
  });
}
