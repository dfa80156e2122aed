import { and, eq, isNull, sql } from "drizzle-orm";
import type { WorkScope } from "../shards.js";
import type { Database } from "./connection.js";
import { suspensions } from "./schema.js";
import { inShard } from "./shardFilter.js";

export type SuspensionRow = typeof suspensions.$inferSelect;
export type NewSuspension = Omit<typeof suspensions.$inferInsert, "id" | "endedAt" | "endCaseId" | "createdAt">;

/** Records a suspension; undefined when the member already has one running in this group. */
export async function insertSuspension(db: Database, suspension: NewSuspension): Promise<SuspensionRow | undefined> {
  const [row] = await db.insert(suspensions).values(suspension).onConflictDoNothing().returning();
  return row;
}

export async function getSuspension(db: Database, id: number): Promise<SuspensionRow | undefined> {
  const [row] = await db.select().from(suspensions).where(eq(suspensions.id, id));
  return row;
}

/** The member's running suspension in the group, if any. */
export async function findActiveSuspension(db: Database, guildId: string, groupId: string, robloxUserId: string): Promise<SuspensionRow | undefined> {
  const [row] = await db
    .select()
    .from(suspensions)
    .where(
      and(eq(suspensions.guildId, guildId), eq(suspensions.groupId, groupId), eq(suspensions.robloxUserId, robloxUserId), isNull(suspensions.endedAt)),
    );
  return row;
}

/**
 * Ends a running suspension, naming the case that restores the member (null:
 * nothing to restore); one conditional UPDATE, so of a scheduled restore and
 * an /unsuspend, one ends it. False when it had already ended.
 */
export async function endSuspension(db: Database, id: number, endCaseId: number | null): Promise<boolean> {
  const ended = await db
    .update(suspensions)
    .set({ endedAt: sql`now()`, endCaseId })
    .where(and(eq(suspensions.id, id), isNull(suspensions.endedAt)))
    .returning({ id: suspensions.id });
  return ended.length > 0;
}

/** Drops a suspension whose case could not even be recorded. */
export async function deleteSuspension(db: Database, id: number): Promise<void> {
  await db.delete(suspensions).where(eq(suspensions.id, id));
}

/** The running suspensions of a shard's guilds (every guild's when undefined): what the restore queue must hold. */
export async function listActiveSuspensions(db: Database, shard: WorkScope["shard"]): Promise<SuspensionRow[]> {
  return db
    .select()
    .from(suspensions)
    .where(and(isNull(suspensions.endedAt), inShard(suspensions.guildId, shard)))
    .orderBy(suspensions.endsAt);
}
