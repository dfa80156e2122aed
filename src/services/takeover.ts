import { takeOverAbandonedCases } from "../db/cases.js";
import { resumeInterruptedDecisions } from "./joinRequests/resumeDecisions.js";
import type { ReviewDeps } from "./joinRequests/postPendingRequests.js";
import { reconcilePendingCases, type ReconcileReport } from "./moderation/reconcile.js";
import { reconcileRoleChanges } from "./ranks/roleChanges.js";

/**
 * A process is taken for dead once its heartbeat is this old. Heartbeats
 * come every few seconds (src/jobs/heartbeat.ts), so this allows for a
 * few missed beats (a long GC pause, a slow database) before anyone steps in.
 */
export const DEAD_AFTER_SECONDS = 20;

export interface TakeoverReport extends ReconcileReport {
  /** Join decisions finished or claims given back. */
  decisions: number;
  /** Group role changes settled. */
  roleChanges: number;
}

/**
 * Takes over the work no live process holds (cases pending in a process that
 * died, or that stopped with some still pending) and finishes it as that
 * process would have, with the cases' own idempotency keys: run at start
 * and then on every heartbeat, so a dead process's cases and per-target
 * locks are freed within a bounded time, not at its restart.
 */
export async function takeOverAbandonedWork(deps: ReviewDeps): Promise<TakeoverReport> {
  const taken = await takeOverAbandonedCases(deps.db, deps.processId, DEAD_AFTER_SECONDS);
  const cases = await reconcilePendingCases(deps, taken);
  return { ...cases, decisions: await resumeInterruptedDecisions(deps, taken), roleChanges: await reconcileRoleChanges(deps, taken) };
}
