import { randomUUID } from "node:crypto";
import type { Database } from "../db/connection.js";
import { forgetDeadProcesses, forgetProcess, heartbeat } from "../db/processes.js";
import { forgetIdleRateBuckets } from "../db/sharedRateLedger.js";
import type { Logger } from "../log.js";
import type { ReviewDeps } from "../services/joinRequests/postPendingRequests.js";
import type { BulkRunner } from "../services/massModeration/bulkRun.js";
import { takeOverAbandonedWork } from "../services/takeover.js";

/** A beat every few seconds: a dead process is noticed within DEAD_AFTER_SECONDS plus one beat. */
const HEARTBEAT_MS = 5_000;
/** A dead process's row is dropped after a day: long after any of its work was taken over. */
const FORGET_AFTER_SECONDS = 86_400;

/** A fresh id for each start: a process that restarts is a new process, and its old self is dead. */
export const newProcessId = (): string => randomUUID();

export interface Heartbeat {
  /**
   * From now on, each beat also takes over the work no live process holds;
   * once connected, since finishing that work posts to Discord.
   */
  takeOver(deps: ReviewDeps, runs: BulkRunner): Promise<void>;
  /** Stops beating and says so in the database, so what is left pending is taken over at once. */
  stop(): Promise<void>;
}

/**
 * Beats in PostgreSQL from before the bot connects, so that the cases it
 * records are never mistaken for a dead process's; on each beat, drops the
 * shared budget buckets nobody uses any more. Not a pg-boss job: each
 * process beats for itself, and the takeover is one claiming statement that
 * any number of processes may run at once.
 */
export async function startHeartbeat(db: Database, processId: string, logger: Logger, sharesBudgets: boolean): Promise<Heartbeat> {
  let takeOverWith: { deps: ReviewDeps; runs: BulkRunner } | undefined;
  const beat = async () => {
    await heartbeat(db, processId);
    if (sharesBudgets) await forgetIdleRateBuckets(db);
    if (takeOverWith === undefined) return;
    const report = { ...(await takeOverAbandonedWork(takeOverWith.deps)), massRuns: await takeOverWith.runs.takeOver() };
    if (report.confirmed + report.resumed + report.failed + report.decisions + report.roleChanges + report.massRuns > 0) {
      logger.info(report, "took over the work of a process that stopped");
    }
  };
  await beat();
  await forgetDeadProcesses(db, FORGET_AFTER_SECONDS);
  // One beat at a time: a slow takeover delays the next beat rather than running beside it.
  let running: Promise<void> = Promise.resolve();
  const next = () => (running = running.then(beat).catch((error: unknown) => logger.warn({ err: error }, "heartbeat failed; the next one tries again")));
  const timer = setInterval(next, HEARTBEAT_MS);
  timer.unref();
  return {
    async takeOver(deps, runs) {
      takeOverWith = { deps, runs };
      await next();
    },
    async stop() {
      clearInterval(timer);
      await running;
      await forgetProcess(db, processId).catch((error: unknown) =>
        logger.warn({ err: error }, "could not say this process stopped; its work is taken over once its heartbeat is old"),
      );
    },
  };
}
