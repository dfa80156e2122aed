import { z } from "zod";
import { listAllGroupLinks } from "../db/links.js";
import type { Logger } from "../log.js";
import type { WorkScope } from "../shards.js";
import { postPendingRequests, type ReviewDeps } from "../services/joinRequests/postPendingRequests.js";
import { openLinkedById } from "../services/moderation/linkedExperience.js";
import { UserError } from "../services/userError.js";
import type { Scheduler } from "./scheduler.js";

export interface PollingDeps {
  review: ReviewDeps;
  logger: Logger;
}

export interface PollingOptions {
  /** How often each linked group is polled. */
  intervalSeconds: number;
  /** How many groups one process polls at once. */
  concurrency: number;
  /** Whose groups: one shard's guilds, or every guild. */
  scope: WorkScope;
}

const TICK_QUEUE = "join-requests.schedule";
const POLL_QUEUE = "join-requests.poll";
/**
 * One poll reads at most 200 requests and describes each new one, paced by
 * the key's budgets; a poll this long is taken for a crashed process's.
 */
const POLL_EXPIRY_SECONDS = 15 * 60;

const pollSchema = z.object({ guildId: z.string().min(1), groupId: z.string().min(1) });
type Poll = z.infer<typeof pollSchema>;

/**
 * Posts new join requests of every linked group without anyone running a
 * command. Each interval one process queues one poll per (guild, group) of
 * the scope; polls are taken by the processes running that scope (its
 * shard's process, the one that answers those guilds), a group's one at a time, and a group still
 * being polled is skipped rather than queued again. Groups sharing an API key
 * are polled side by side, and the Open Cloud client lets their calls through
 * the key's list budget in turn, so a big group cannot crowd out the others:
 * each poll reads a bounded number of requests and then goes to the back of
 * the queue.
 */
export async function scheduleJoinRequestPolling(scheduler: Scheduler, deps: PollingDeps, options: PollingOptions): Promise<void> {
  const polls = await scheduler.exclusive(POLL_QUEUE + options.scope.queueSuffix, {
    schema: pollSchema,
    concurrency: options.concurrency,
    expireInSeconds: POLL_EXPIRY_SECONDS,
    run: (poll) => pollGroup(deps, poll),
  });
  await scheduler.every(TICK_QUEUE + options.scope.queueSuffix, options.intervalSeconds, async () => {
    let queued = 0;
    const links = await listAllGroupLinks(deps.review.db, options.scope.shard);
    for (const link of links) {
      if (await polls.enqueue(`${link.guildId}:${link.groupId}`, link)) queued += 1;
    }
    deps.logger.debug({ groups: links.length, queued }, "join-request polls queued");
  });
}

async function pollGroup(deps: PollingDeps, { guildId, groupId }: Poll): Promise<void> {
  try {
    const group = await openLinkedById(deps.review, guildId, "group", groupId);
    const report = await postPendingRequests(deps.review, guildId, group);
    const context = { guildId, groupId, pending: report.pending, posted: report.posted, decidedByRules: report.decidedByRules };
    if (report.problem !== undefined) {
      deps.logger.warn({ ...context, problem: report.problem }, "join requests polled but not all could be posted; the next poll tries again");
    } else if (report.posted > 0) {
      deps.logger.info(context, "join requests polled; new ones posted");
    } else {
      deps.logger.debug(context, "join requests polled; nothing new");
    }
  } catch (error) {
    // A link removed after the poll was queued: nothing to do, and the next schedule no longer lists it.
    if (error instanceof UserError) {
      deps.logger.info({ guildId, groupId, reason: error.message }, "join-request poll skipped");
      return;
    }
    deps.logger.warn({ err: error, guildId, groupId }, "join-request poll failed; the next poll tries again");
  }
}
