import type { DatabaseHandle } from "../db/connection.js";
import type { Logger } from "../log.js";
import type { QueueStats } from "../metrics.js";
import type { ReviewDeps } from "../services/joinRequests/postPendingRequests.js";
import { checkApiKeys } from "../services/keyHealth.js";
import { announceExpiredBans } from "../services/moderation/banExpiry.js";
import type { AppealBoard, ExpiryNotices, SetupNotices } from "../services/ports.js";
import { scheduleAppealSweep } from "./appealSweep.js";
import type { OwnerInterval } from "./joinRequestPlan.js";
import { startJoinRequestReads } from "./joinRequestReads.js";
import { scheduleGroupAuditSync } from "./groupAuditSync.js";
import { scheduleOutsideBanSync } from "./outsideBanSync.js";
import { scheduleSuspensionRestores, type SuspensionRestoreTimers } from "./suspensionRestore.js";
import { startScheduler, type Scheduler } from "./scheduler.js";
import { workScopes, type Shards, type WorkScope } from "../shards.js";

export interface JobDeps {
  /** The bot's database: the job queue lives there too. */
  database: Pick<DatabaseHandle, "executeSql">;
  /** Join-request review as the bot itself does it: automatic decisions are recorded as the bot's. */
  review: ReviewDeps;
  /** The guilds' appeals channels, where the sweep posts appeals still unposted. */
  appealBoard: AppealBoard;
  /** The mod log, where the bot tells a guild that a key stopped working or a ban ran out. */
  notices: SetupNotices & ExpiryNotices;
  logger: Logger;
  /** The shards this process runs: it does the background work of their guilds only. */
  shards: Shards;
  /** The time Roblox's budgets are planned in, as the Open Cloud client plans them (tests scale it). */
  timeScale: number;
  /** Where suspensions ask for their restore; its queues are attached here. */
  suspensionTimers: SuspensionRestoreTimers;
}

/** Seconds between runs, or "off": a test runs only the jobs it is about, whatever the clock says. */
type Interval = number | "off";

export interface JobOptions {
  /**
   * The shortest time between two reads of one group's join requests; its key
   * owner's list budget may make it longer. Default 2 s.
   */
  joinRequestMinIntervalSeconds?: Interval;
  /** How often every stored API key is checked with Roblox; default 6 hours. */
  keyCheckSeconds?: Interval;
  /** How often ran-out temporary bans are looked for; default a minute. */
  banExpirySeconds?: Interval;
  /** How often linked experiences' restriction logs are read for bans made outside Warden; default 5 minutes. */
  banSyncSeconds?: Interval;
  /** How often linked groups' audit logs are read for changes made outside Warden; default 5 minutes. */
  groupAuditSyncSeconds?: Interval;
  /** How often appeals not yet posted, and Accepts a dead process left, are looked for; default 30 seconds. */
  appealSweepSeconds?: Interval;
  /** How often an idle worker asks the queue for a job; default 2 seconds. */
  workerPollingSeconds?: number;
}

export interface Jobs {
  /** Stops taking jobs and waits for running ones; call before closing Discord and the database. */
  stop(): Promise<void>;
  /** Until stop() is called. */
  isRunning(): boolean;
  /** Every queue's backlog, across all processes on this database. */
  queueStats(): Promise<QueueStats[]>;
  /** Each key owner whose groups this process reads, and how often they are read now; empty when reads are off. */
  joinRequestReadIntervals(): OwnerInterval[];
}

/**
 * Starts the scheduled work of this process's shards, alongside any other
 * process on the same database: each shard's work has queues of its own,
 * worked only by the process that runs that shard.
 */
export async function startJobs(deps: JobDeps, options: JobOptions = {}): Promise<Jobs> {
  const scheduler = await startScheduler(deps.database, deps.logger, { pollingIntervalSeconds: options.workerPollingSeconds });
  try {
    for (const scope of workScopes(deps.shards)) await scheduleScope(scheduler, deps, scope, options);
  } catch (error) {
    await scheduler.stop();
    throw error;
  }
  // Not on the queue: a read every few seconds per group would churn the job table. One loop covers every shard of the process.
  const minInterval = seconds(options.joinRequestMinIntervalSeconds, 2);
  const reads =
    minInterval === undefined
      ? undefined
      : startJoinRequestReads(
          { review: deps.review, logger: deps.logger },
          { shards: deps.shards, timeScale: deps.timeScale, minIntervalMs: minInterval * 1_000 },
        );
  return {
    async stop() {
      await Promise.all([reads?.stop(), scheduler.stop()]);
    },
    isRunning: () => scheduler.isRunning(),
    queueStats: () => scheduler.queueStats(),
    joinRequestReadIntervals: () => reads?.intervals() ?? [],
  };
}

async function scheduleScope(scheduler: Scheduler, deps: JobDeps, scope: WorkScope, options: JobOptions): Promise<void> {
  // Never off: a suspension's end is a promise made to a member, not a poll.
  await scheduleSuspensionRestores(scheduler, { ...deps.review, logger: deps.logger }, deps.suspensionTimers, scope);
  const keyCheck = seconds(options.keyCheckSeconds, 6 * 3_600);
  if (keyCheck !== undefined) {
    await scheduler.every(`api-keys.check${scope.queueSuffix}`, keyCheck, async () => {
      deps.logger.debug(await checkApiKeys({ ...deps.review, notices: deps.notices }, scope.shard), "API keys checked");
    });
  }
  const banExpiry = seconds(options.banExpirySeconds, 60);
  if (banExpiry !== undefined) {
    await scheduler.every(`bans.expiry${scope.queueSuffix}`, banExpiry, async () => {
      const announced = await announceExpiredBans({ db: deps.review.db, notices: deps.notices }, scope.shard);
      if (announced > 0) deps.logger.info({ announced }, "expired bans announced");
    });
  }
  const banSync = seconds(options.banSyncSeconds, 300);
  if (banSync !== undefined) {
    await scheduleOutsideBanSync(scheduler, { ...deps.review, logger: deps.logger }, { intervalSeconds: banSync, scope });
  }
  const appealSweep = seconds(options.appealSweepSeconds, 30);
  if (appealSweep !== undefined) {
    await scheduleAppealSweep(
      scheduler,
      { ...deps.review, appealBoard: deps.appealBoard, logger: deps.logger },
      { intervalSeconds: appealSweep, scope },
    );
  }
  const auditSync = seconds(options.groupAuditSyncSeconds, 300);
  if (auditSync !== undefined) {
    await scheduleGroupAuditSync(
      scheduler,
      { ...deps.review, notices: deps.notices, logger: deps.logger },
      { intervalSeconds: auditSync, scope },
    );
  }
}

function seconds(option: Interval | undefined, fallback: number): number | undefined {
  return option === "off" ? undefined : (option ?? fallback);
}
