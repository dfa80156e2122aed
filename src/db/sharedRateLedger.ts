import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "./connection.js";

/** A bucket as the Open Cloud client plans it (src/opencloud/rateBudget.ts BucketSpec). */
interface Bucket {
  id: string;
  limit: number;
  windowMs: number;
}

/** One row: the slot taken, or (slot null) the wait and the bucket that is its reason. */
const takeResult = z.object({
  rows: z.tuple([
    z.union([
      z.object({ slot: z.string() }),
      z.object({ slot: z.null(), wait_ms: z.coerce.number(), blocked_by: z.string() }),
    ]),
  ]),
});

/**
 * The shared budgets of a deployment's processes, in PostgreSQL (the
 * functions of migrations 0010 and 0012): one statement to take a call's slots, one to
 * stamp its answer, one to hold buckets back after a 429. Hand-written, because Roblox's per-owner, per-universe
 * and per-player budgets must be counted across processes, which no job
 * queue or rate-limit library of ours does.
 */
export function createSharedRateLedger(db: Database) {
  return {
    async take(buckets: readonly Bucket[], inFlightMs: number): Promise<{ slot: string } | { waitMs: number; blockedBy: string }> {
      const ids = buckets.map((bucket) => bucket.id);
      const limits = buckets.map((bucket) => bucket.limit);
      const windows = buckets.map((bucket) => bucket.windowMs);
      const result = takeResult.parse(
        await db.execute(
                    // sql.param: one array parameter each, not the list of parameters drizzle makes of an array.
          sql`SELECT wait_ms, slot::text AS slot, blocked_by FROM warden_take_rate_slots(${sql.param(ids)}::text[], ${sql.param(limits)}::integer[], ${sql.param(windows)}::double precision[], ${inFlightMs})`,
        ),
      );
      const [row] = result.rows;
      return row.slot === null ? { waitMs: row.wait_ms, blockedBy: row.blocked_by } : { slot: row.slot };
    },

    async answered(buckets: readonly Bucket[], slot: string): Promise<void> {
      const ids = buckets.map((bucket) => bucket.id);
      await db.execute(sql`SELECT warden_stamp_rate_slot(${sql.param(ids)}::text[], ${slot}::timestamptz)`);
    },

    async hold(buckets: readonly Bucket[], resetMs: number): Promise<void> {
      const ids = buckets.map((bucket) => bucket.id);
      await db.execute(sql`SELECT warden_hold_rate_buckets(${sql.param(ids)}::text[], ${resetMs})`);
    },
  };
}

/**
 * Drops the buckets nobody used for two minutes (past the longest window,
 * a player's minute, and the longest reset Roblox asks for): one per player
 * banned would otherwise pile up for ever.
 */
export async function forgetIdleRateBuckets(db: Database): Promise<void> {
  await db.execute(sql`
    DELETE FROM rate_buckets
    WHERE (held_until IS NULL OR held_until < clock_timestamp())
      AND NOT EXISTS (SELECT 1 FROM unnest(slots) AS s WHERE s > clock_timestamp() - interval '2 minutes')`);
}
