import type { BucketSpec } from "./rateBudget.js";

/**
 * Roblox's budgets counted across every process of a deployment (each
 * process's RateBudget only sees its own calls). The in-process budget still
 * queues and orders this process's calls; the ledger is asked once a call has
 * its local turn, and answers with the wait when another process used the
 * slot. Implemented outside the client (in PostgreSQL), so the client stays
 * free of any database.
 */
export interface SharedLedger {
  /**
   * Takes a slot in every bucket or in none: `slot` names what was taken, or
   * `waitMs` says how long at least until all could be, and `blockedBy` which
   * bucket is the reason. A slot is counted as in flight until `answered` is
   * called, or until it expires if this process dies.
   */
  take(buckets: readonly BucketSpec[], inFlightMs: number): Promise<SharedTake>;
  /** The call was answered: its slots count a window from now, as the in-process budget counts them. */
  answered(buckets: readonly BucketSpec[], slot: string): Promise<void>;
  /** Roblox answered 429 with a reset: no process calls on these buckets until it has passed. */
  hold(buckets: readonly BucketSpec[], resetMs: number): Promise<void>;
}

export type SharedTake = { slot: string } | { waitMs: number; blockedBy: string };
