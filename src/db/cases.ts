import { and, desc, eq, sql } from "drizzle-orm";
import type { Database } from "./connection.js";
import { cases, guilds } from "./schema.js";

export type CaseRow = typeof cases.$inferSelect;

/** Everything a case says at creation; the number and timestamps are the database's. */
export type NewCase = Omit<typeof cases.$inferInsert, "id" | "number" | "createdAt" | "updatedAt">;

/**
 * Records a case under the guild's next number, in one statement: a CTE bumps
 * the guild's counter row (INSERT ... ON CONFLICT DO UPDATE ... RETURNING) and
 * the case takes the number it returns. The row lock queues concurrent
 * writers, and a refused case rolls the bump back with it, so numbers come
 * out 1..N with no gap and no duplicate (MAX(number)+1 would race). One
 * round trip instead of a four-step transaction.
 */
export async function createCase(db: Database, input: NewCase): Promise<CaseRow> {
  const counter = db.$with("counter").as(
    db
      .insert(guilds)
      .values({ id: input.guildId, lastCaseNumber: 1 })
      .onConflictDoUpdate({
        target: guilds.id,
        set: { lastCaseNumber: sql`${guilds.lastCaseNumber} + 1`, updatedAt: sql`now()` },
      })
      .returning({ number: guilds.lastCaseNumber }),
  );
  const [created] = await db
    .with(counter)
    .insert(cases)
    .values({ ...input, number: sql`(SELECT ${counter.number} FROM ${counter})` })
    .returning();
  if (created === undefined) throw new Error("The case insert returned no row.");
  return created;
}

export async function findCase(db: Database, guildId: string, number: number): Promise<CaseRow | undefined> {
  const [row] = await db
    .select()
    .from(cases)
    .where(and(eq(cases.guildId, guildId), eq(cases.number, number)));
  return row;
}

export async function listCasesForUser(db: Database, guildId: string, robloxUserId: string): Promise<CaseRow[]> {
  return db
    .select()
    .from(cases)
    .where(and(eq(cases.guildId, guildId), eq(cases.robloxUserId, robloxUserId)))
    .orderBy(desc(cases.number));
}
