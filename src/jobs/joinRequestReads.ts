import { AsyncLocalStorage } from "node:async_hooks";
import { listGroupLinksToRead } from "../db/links.js";
import type { Logger } from "../log.js";
import { PlayerUpdateLimitError, RateLimitedError, UnavailableError, type CallObserver } from "../opencloud/index.js";
import { OPERATIONS } from "../opencloud/operations.js";
import { postPendingRequests, type ReviewDeps } from "../services/joinRequests/postPendingRequests.js";
import { openLinkedById } from "../services/moderation/linkedExperience.js";
import { UserError } from "../services/userError.js";
import type { Shards } from "../shards.js";
import { ReadPlan, type LinkedGroup, type OwnerInterval, type PlannedGroup, type ReadOutcome } from "./joinRequestPlan.js";

export interface ReadDeps {
  review: ReviewDeps;
  logger: Logger;
}

export interface ReadOptions {
  /** This process reads the groups of these shards' guilds. */
  shards: Shards;
  /** The time Roblox's budgets are planned in: tests scale it, as the Open Cloud client does. */
  timeScale: number;
  /** No group is read more often than this. */
  minIntervalMs: number;
}

export interface JoinRequestReads {
  /** Each owner this process reads for, and how often its groups are read now. */
  intervals(): OwnerInterval[];
  /** Starts no more reads and waits a little for those running; call before Discord and the database close. */
  stop(): Promise<void>;
}

/** Half of each owner's list budget; the other half stays for commands, reviews and bulk decisions. */
const BUDGET_SHARE = 0.5;
/** A link added or removed is in the plan within this long, by one query. */
const LINKS_REFRESH_MS = 5_000;
/** One slow read (a wave of new cards) leaves the owner's other groups a few reads to go on with. */
const READS_AT_ONCE_PER_OWNER = 4;
/** A read still running at stop is given this long; past it, it fails with the client, logged. */
const STOP_GRACE_MS = 5_000;

/**
 * Reads every linked group's join requests as often as its key owner's list
 * budget allows (see ReadPlan), and posts the new ones. One loop per process
 * for all of its shards, with no job per read: it reads only the groups of its
 * own shards' guilds, so each group is read by one process, and a card is
 * posted once whoever reads (join_request_reviews' posting lease). The Open
 * Cloud client still paces each call against the budgets shared by every
 * process; this loop decides how often to ask.
 */
export function startJoinRequestReads(deps: ReadDeps, options: ReadOptions): JoinRequestReads {
  const { limit, windowMs } = OPERATIONS["groups.listJoinRequests"].perKey;
  const plan = new ReadPlan({
    budget: { limit, windowMs: windowMs / options.timeScale },
    share: BUDGET_SHARE,
    minIntervalMs: options.minIntervalMs,
    readsAtOnce: READS_AT_ONCE_PER_OWNER,
  });
  const reading = new Set<Promise<void>>();
  let stopping = false;
  let wake = () => {};
  let refreshedAt = -Infinity;

  const refreshLinks = async () => {
    try {
      const links = await listGroupLinksToRead(deps.review.db, options.shards);
      plan.setLinks(links.map(toLinkedGroup), Date.now());
    } catch (error) {
      deps.logger.warn({ err: error }, "could not list the linked groups; reading those already known");
    }
    refreshedAt = Date.now();
  };

  const loop = async () => {
    while (!stopping) {
      if (Date.now() - refreshedAt >= LINKS_REFRESH_MS) await refreshLinks();
      let step = plan.next(Date.now());
      for (; "read" in step && !stopping; step = plan.next(Date.now())) {
        const group = step.read;
        const read: Promise<void> = readGroup(deps, group)
          .then((outcome) => plan.finished(group, outcome, Date.now()))
          .catch((error: unknown) => deps.logger.error({ err: error, ...group }, "join-request read could not be planned"))
          .finally(() => {
            reading.delete(read);
            wake();
          });
        reading.add(read);
      }
      const waitMs = Math.min("waitMs" in step ? step.waitMs : 0, refreshedAt + LINKS_REFRESH_MS - Date.now());
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, waitMs));
        // The reads do not keep a process alive on their own; whatever started them decides that.
        timer.unref();
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };
  const running = loop().catch((error: unknown) => deps.logger.error({ err: error }, "join-request reads stopped"));

  return {
    intervals: () => plan.intervals(),
    async stop() {
      stopping = true;
      wake();
      await running;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled(reading), new Promise((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)))]);
      clearTimeout(timer);
    },
  };
}

/** The read running in this async context, told of every call Roblox throttled or failed on its way. */
const currentRead = new AsyncLocalStorage<{ throttled: boolean }>();

/**
 * The Open Cloud client's observer, also telling the read in progress that a
 * call of it was retried (429, 5xx, timeout): the client's retries usually get
 * through, and the read must still slow its owner down.
 */
export function watchingReads(observer: CallObserver | undefined): CallObserver {
  return {
    attempted: (call) => observer?.attempted(call),
    retrying(call) {
      const read = currentRead.getStore();
      if (read !== undefined) read.throttled = true;
      observer?.retrying(call);
    },
  };
}

/** Runs `read` and says whether Roblox throttled or failed any of its calls, retried or not (see watchingReads). */
export async function watchRead<T>(read: () => Promise<T>): Promise<{ result: T; throttled: boolean }> {
  const seen = { throttled: false };
  const result = await currentRead.run(seen, read);
  return { result, throttled: seen.throttled };
}

function toLinkedGroup(link: Awaited<ReturnType<typeof listGroupLinksToRead>>[number]): LinkedGroup {
  const budgetId = link.ownerId === null ? `key:${link.fingerprint}` : `owner:${link.ownerId}`;
  return { guildId: link.guildId, groupId: link.groupId, budgetId, mine: link.mine };
}

/** Reads one group and posts what is new; never throws: how it went is what the plan needs. */
async function readGroup(deps: ReadDeps, { guildId, groupId }: PlannedGroup): Promise<ReadOutcome> {
  try {
    const group = await openLinkedById(deps.review, guildId, "group", groupId);
    const { result: report, throttled } = await watchRead(() => postPendingRequests(deps.review, guildId, group));
    const context = { guildId, groupId, pending: report.pending, pages: report.pages, posted: report.posted, decidedByRules: report.decidedByRules, throttled };
    if (report.problem !== undefined) {
      deps.logger.warn({ ...context, problem: report.problem }, "join requests polled but not all could be posted; the next poll tries again");
      return { failed: "group" };
    }
    if (report.posted > 0) deps.logger.info(context, "join requests polled; new ones posted");
    else deps.logger.debug(context, "join requests polled; nothing new");
    return { pages: report.pages, throttled };
  } catch (error) {
    // A link removed since the links were listed: the next listing drops it.
    if (error instanceof UserError) {
      deps.logger.info({ guildId, groupId, reason: error.message }, "join-request poll skipped");
      return { failed: "group" };
    }
    deps.logger.warn({ err: error, guildId, groupId }, "join-request poll failed; the next poll tries again");
    return isThrottling(error) ? { failed: "throttled" } : { failed: "group" };
  }
}

/** Roblox saying "slow down" (429) or failing (5xx, timeouts): the whole owner backs off, not just the group. */
function isThrottling(error: unknown): boolean {
  return (error instanceof RateLimitedError && !(error instanceof PlayerUpdateLimitError)) || error instanceof UnavailableError;
}
