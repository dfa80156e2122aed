import { and, eq, gt, isNotNull, notExists, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "./connection.js";
import { bulkRuns, cases, processes } from "./schema.js";

export type BulkRunRow = typeof bulkRuns.$inferSelect;
export type NewBulkRun = Omit<typeof bulkRuns.$inferInsert, "createdAt" | "finishedAt" | "status" | "cancelledBy" | "progressMessageId">;

/** A player of a run, as the preview found them. */
export const bulkRunPlayer = z.object({ id: z.string().regex(/^[0-9]{1,20}$/), name: z.string() });
export type BulkRunPlayer = z.infer<typeof bulkRunPlayer>;

/** The list's entries left out at the preview, for the summary. */
export const bulkRunSkipped = z.object({
  unknown: z.array(z.string()),
  ambiguous: z.array(z.string()),
  invalid: z.array(z.string()),
  /** Already in the state the run wants (banned for /massban, not banned for /massunban). */
  unchanged: z.array(bulkRunPlayer),
  duplicates: z.number().int().nonnegative(),
});
export type BulkRunSkipped = z.infer<typeof bulkRunSkipped>;

export async function createBulkRun(db: Database, run: NewBulkRun): Promise<BulkRunRow> {
  const [row] = await db.insert(bulkRuns).values(run).returning();
  if (row === undefined) throw new Error("The run insert returned no row.");
  return row;
}

export async function readBulkRun(db: Database, runId: string): Promise<BulkRunRow | undefined> {
  const [row] = await db.select().from(bulkRuns).where(eq(bulkRuns.id, runId));
  return row;
}

export async function setProgressMessage(db: Database, runId: string, messageId: string): Promise<void> {
  await db.update(bulkRuns).set({ progressMessageId: messageId }).where(eq(bulkRuns.id, runId));
}

/** Stops a running run between two calls; false when it had already ended. One conditional UPDATE, so it is cancelled once. */
export async function cancelBulkRun(db: Database, runId: string, by: string): Promise<boolean> {
  const rows = await db
    .update(bulkRuns)
    .set({ status: "cancelled", cancelledBy: by, finishedAt: sql`now()` })
    .where(and(eq(bulkRuns.id, runId), eq(bulkRuns.status, "running")))
    .returning({ id: bulkRuns.id });
  return rows.length === 1;
}

/** The run went through its whole list; false when it was cancelled meanwhile (it stays cancelled). */
export async function finishBulkRun(db: Database, runId: string): Promise<boolean> {
  const rows = await db
    .update(bulkRuns)
    .set({ status: "finished", finishedAt: sql`now()` })
    .where(and(eq(bulkRuns.id, runId), eq(bulkRuns.status, "running")))
    .returning({ id: bulkRuns.id });
  return rows.length === 1;
}

/**
 * Takes over the running runs no live process carries, as pending cases are
 * taken over (db/cases.ts): one statement, so each run goes to one process.
 */
export async function takeOverAbandonedBulkRuns(db: Database, processId: string, deadAfterSeconds: number): Promise<BulkRunRow[]> {
  const liveOwner = db
    .select({ one: sql`1` })
    .from(processes)
    .where(and(eq(processes.id, bulkRuns.ownerProcess), gt(processes.heartbeatAt, sql`now() - make_interval(secs => ${deadAfterSeconds})`)));
  return db
    .update(bulkRuns)
    .set({ ownerProcess: processId })
    .where(and(eq(bulkRuns.status, "running"), notExists(liveOwner)))
    .returning();
}

/** Each case of the run: who, and how it ended (or that it is still pending). */
export async function listBulkRunCases(db: Database, runId: string) {
  return db
    .select({ robloxUserId: cases.robloxUserId, status: cases.status, error: cases.error, number: cases.number })
    .from(cases)
    .where(and(isNotNull(cases.bulkRunId), eq(cases.bulkRunId, runId)));
}

/** How many of the run's cases stand where: one aggregate, for the progress message. */
export async function countBulkRunCases(db: Database, runId: string): Promise<Record<"pending" | "applied" | "failed", number>> {
  const rows = await db
    .select({ status: cases.status, count: sql<number>`count(*)::int` })
    .from(cases)
    .where(and(isNotNull(cases.bulkRunId), eq(cases.bulkRunId, runId)))
    .groupBy(cases.status);
  const counts = { pending: 0, applied: 0, failed: 0 };
  for (const row of rows) counts[row.status] = row.count;
  return counts;
}
