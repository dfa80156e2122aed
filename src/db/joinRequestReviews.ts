import { and, desc, eq, inArray, isNotNull, isNull, lt, notExists, or, sql } from "drizzle-orm";
import type { Database } from "./connection.js";
import { prepared } from "./prepared.js";
import { cases, joinRequestReviews } from "./schema.js";

export type ReviewRow = typeof joinRequestReviews.$inferSelect;

/**
 * Remembers requests seen for the first time and returns only those: a
 * request already recorded (posted before, even before a restart) is never
 * posted again.
 */
export async function recordNewRequests(
  db: Database,
  guildId: string,
  groupId: string,
  requests: readonly { userId: string; requestedAt: Date }[],
): Promise<ReviewRow[]> {
  if (requests.length === 0) return [];
  return db
    .insert(joinRequestReviews)
    .values(requests.map((request) => ({ guildId, groupId, robloxUserId: request.userId, requestedAt: request.requestedAt })))
    .onConflictDoNothing()
    .returning();
}

export async function setReviewMessage(db: Database, reviewId: number, channelId: string, messageId: string): Promise<void> {
  await prepared(db, "warden_set_review_message", (database, name) =>
    database
      .update(joinRequestReviews)
      .set({
        reviewChannelId: sql`${sql.placeholder("channelId")}`,
        reviewMessageId: sql`${sql.placeholder("messageId")}`,
        updatedAt: sql`now()`,
      })
      .where(eq(joinRequestReviews.id, sql.placeholder("reviewId")))
      .prepare(name),
  ).execute({ reviewId, channelId, messageId });
}

/**
 * Takes the player's open request for one reviewer. One conditional UPDATE:
 * of any number of simultaneous clicks, exactly one gets the row back.
 */
export async function claimReview(
  db: Database,
  target: { guildId: string; groupId: string; userId: string; claimedBy: string },
): Promise<ReviewRow | undefined> {
  const [row] = await prepared(db, "warden_claim_review", (database, name) =>
    database
      .update(joinRequestReviews)
      .set({ state: "claimed", claimedBy: sql`${sql.placeholder("claimedBy")}`, claimedAt: sql`now()`, updatedAt: sql`now()` })
      .where(
        and(
          eq(joinRequestReviews.guildId, sql.placeholder("guildId")),
          eq(joinRequestReviews.groupId, sql.placeholder("groupId")),
          eq(joinRequestReviews.robloxUserId, sql.placeholder("userId")),
          eq(joinRequestReviews.state, "pending"),
        ),
      )
      .returning()
      .prepare(name),
  ).execute(target);
  return row;
}

export async function finishReview(
  db: Database,
  reviewId: number,
  outcome: { state: "accepted" | "declined" | "gone"; decidedBy: string; caseId: number | null; rule?: string },
): Promise<ReviewRow> {
  const [row] = await prepared(db, "warden_finish_review", (database, name) =>
    database
      .update(joinRequestReviews)
      .set({
        state: sql`${sql.placeholder("state")}`,
        decidedBy: sql`${sql.placeholder("decidedBy")}`,
        decidedAt: sql`now()`,
        decidedByRule: sql`${sql.placeholder("rule")}`,
        caseId: sql`${sql.placeholder("caseId")}`,
        updatedAt: sql`now()`,
      })
      .where(eq(joinRequestReviews.id, sql.placeholder("reviewId")))
      .returning()
      .prepare(name),
  ).execute({ reviewId, ...outcome, rule: outcome.rule ?? null });
  if (row === undefined) throw new Error(`Review ${reviewId} vanished while it was decided.`);
  return row;
}

/** Gives a claimed request back when the decision could not be made, so someone can try again. */
export async function releaseReview(db: Database, reviewId: number): Promise<void> {
  await db
    .update(joinRequestReviews)
    .set({ state: "pending", claimedBy: null, claimedAt: null, updatedAt: sql`now()` })
    .where(and(eq(joinRequestReviews.id, reviewId), eq(joinRequestReviews.state, "claimed")));
}

/** A claim this old with no decision on record belongs to a process that died in between. */
const ORPHANED_CLAIM = sql`interval '1 minute'`;

/**
 * Gives back the claims whose process died after claiming and before
 * recording its decision (no pending case names them), so the requests can
 * be decided again; returns how many.
 */
export async function releaseOrphanedClaims(db: Database): Promise<number> {
  const decisionOnRecord = db
    .select({ one: sql`1` })
    .from(cases)
    .where(
      and(
        eq(cases.status, "pending"),
        inArray(cases.action, ["join_accept", "join_decline"]),
        eq(cases.guildId, joinRequestReviews.guildId),
        eq(cases.groupId, joinRequestReviews.groupId),
        eq(cases.robloxUserId, joinRequestReviews.robloxUserId),
      ),
    );
  const released = await db
    .update(joinRequestReviews)
    .set({ state: "pending", claimedBy: null, claimedAt: null, updatedAt: sql`now()` })
    .where(
      and(
        eq(joinRequestReviews.state, "claimed"),
        lt(joinRequestReviews.claimedAt, sql`now() - ${ORPHANED_CLAIM}`),
        notExists(decisionOnRecord),
      ),
    )
    .returning({ id: joinRequestReviews.id });
  return released.length;
}

/** The player's most recent request in the group, whatever became of it. */
export async function latestReview(db: Database, guildId: string, groupId: string, userId: string): Promise<ReviewRow | undefined> {
  const [row] = await db
    .select()
    .from(joinRequestReviews)
    .where(
      and(
        eq(joinRequestReviews.guildId, guildId),
        eq(joinRequestReviews.groupId, groupId),
        eq(joinRequestReviews.robloxUserId, userId),
      ),
    )
    .orderBy(desc(joinRequestReviews.requestedAt))
    .limit(1);
  return row;
}

/** How long a run may take to post one card before another run may post it instead. */
const POSTING_LEASE = sql`interval '5 minutes'`;

/**
 * Takes the recorded, still open requests of these players whose card was
 * never posted, oldest first, with a lease on posting each: a run that
 * posts concurrently gets none of the same rows.
 */
export async function claimUnpostedReviews(
  db: Database,
  guildId: string,
  groupId: string,
  userIds: readonly string[],
): Promise<ReviewRow[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .update(joinRequestReviews)
    .set({ postingSince: sql`now()` })
    .where(
      and(
        eq(joinRequestReviews.guildId, guildId),
        eq(joinRequestReviews.groupId, groupId),
        eq(joinRequestReviews.state, "pending"),
        isNull(joinRequestReviews.reviewMessageId),
        inArray(joinRequestReviews.robloxUserId, [...userIds]),
        or(isNull(joinRequestReviews.postingSince), lt(joinRequestReviews.postingSince, sql`now() - ${POSTING_LEASE}`)),
      ),
    )
    .returning();
  return rows.sort((a, b) => a.requestedAt.getTime() - b.requestedAt.getTime());
}

/** Gives a card back to the next run when posting it failed. */
export async function releasePosting(db: Database, reviewId: number): Promise<void> {
  await db.update(joinRequestReviews).set({ postingSince: null }).where(eq(joinRequestReviews.id, reviewId));
}

/** Requests posted for review and still undecided: what staff see as the open queue. */
export async function listOpenReviews(db: Database, guildId: string, groupId: string): Promise<ReviewRow[]> {
  return db
    .select()
    .from(joinRequestReviews)
    .where(
      and(
        eq(joinRequestReviews.guildId, guildId),
        eq(joinRequestReviews.groupId, groupId),
        eq(joinRequestReviews.state, "pending"),
        isNotNull(joinRequestReviews.reviewMessageId),
      ),
    )
    .orderBy(joinRequestReviews.requestedAt);
}
