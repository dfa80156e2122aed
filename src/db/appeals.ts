import { and, asc, count, desc, eq, getTableColumns, gte, inArray, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import type { WorkScope } from "../shards.js";
import type { CaseRow } from "./cases.js";
import type { Database } from "./connection.js";
import { appeals, cases, guilds, universeLinks } from "./schema.js";
import { inShard } from "./shardFilter.js";

export type AppealRow = typeof appeals.$inferSelect;

// The player's side: what the appeal page reads and records.

/** A linked experience of a guild that takes appeals: where a player's bans are read and appealed. */
export interface AppealableExperience {
  guildId: string;
  universeId: string;
  displayName: string;
  apiKeyId: number;
  cooldownDays: number;
}

/** Every experience linked to a guild that takes appeals (enabled, with a channel to post them in). */
export async function listAppealableExperiences(db: Database): Promise<AppealableExperience[]> {
  return db
    .select({
      guildId: universeLinks.guildId,
      universeId: universeLinks.universeId,
      displayName: universeLinks.displayName,
      apiKeyId: universeLinks.apiKeyId,
      cooldownDays: guilds.appealCooldownDays,
    })
    .from(universeLinks)
    .innerJoin(guilds, eq(guilds.id, universeLinks.guildId))
    .where(and(eq(guilds.appealsEnabled, true), isNotNull(guilds.appealsChannelId)))
    .orderBy(universeLinks.displayName, universeLinks.guildId);
}

/** The player's appeals, newest first: what the page shows beside each ban. */
export async function listPlayerAppeals(db: Database, robloxUserId: string): Promise<AppealRow[]> {
  return db.select().from(appeals).where(eq(appeals.robloxUserId, robloxUserId)).orderBy(desc(appeals.createdAt), desc(appeals.id));
}

export interface BanTarget {
  guildId: string;
  universeId: string;
  /** Null: the whole universe. */
  placeId: string | null;
  robloxUserId: string;
}

const samePlace = (placeId: string | null) => (placeId === null ? isNull(appeals.placeId) : eq(appeals.placeId, placeId));

/** When the player's latest declined appeal of this very ban was decided; undefined when none was. */
export async function latestDecline(db: Database, target: BanTarget, banStartedAt: Date): Promise<Date | undefined> {
  const [row] = await db
    .select({ decidedAt: appeals.decidedAt })
    .from(appeals)
    .where(
      and(
        eq(appeals.guildId, target.guildId),
        eq(appeals.universeId, target.universeId),
        samePlace(target.placeId),
        eq(appeals.robloxUserId, target.robloxUserId),
        eq(appeals.banStartedAt, banStartedAt),
        eq(appeals.state, "declined"),
      ),
    )
    .orderBy(desc(appeals.decidedAt))
    .limit(1);
  return row?.decidedAt ?? undefined;
}

/** Warden's latest applied ban case for this target, if it has one. */
export async function latestBanCaseId(db: Database, target: BanTarget): Promise<number | undefined> {
  const [row] = await db
    .select({ id: cases.id })
    .from(cases)
    .where(
      and(
        eq(cases.guildId, target.guildId),
        eq(cases.universeId, target.universeId),
        target.placeId === null ? isNull(cases.placeId) : eq(cases.placeId, target.placeId),
        eq(cases.robloxUserId, target.robloxUserId),
        eq(cases.action, "ban"),
        eq(cases.status, "applied"),
      ),
    )
    .orderBy(desc(cases.createdAt), desc(cases.id))
    .limit(1);
  return row?.id;
}

/**
 * Appeals submitted in the last `windowSeconds` by this player, or from this address: what the
 * submission limits count. Measured on the database's clock, the one every process shares.
 */
export async function countRecentAppeals(
  db: Database,
  by: { robloxUserId: string } | { addressHash: string },
  windowSeconds: number,
): Promise<number> {
  const who = "robloxUserId" in by ? eq(appeals.robloxUserId, by.robloxUserId) : eq(appeals.submitterAddressHash, by.addressHash);
  const since = sql`now() - make_interval(secs => ${windowSeconds})`;
  const [row] = await db.select({ n: count() }).from(appeals).where(and(who, gte(appeals.createdAt, since)));
  return row?.n ?? 0;
}

export interface NewAppeal extends BanTarget {
  robloxUsername: string | null;
  banStartedAt: Date;
  banCaseId: number | undefined;
  text: string;
  submitterAddressHash: string;
}

/**
 * Inserts the appeal as `open`; undefined when this ban target already has one
 * open or being accepted (the unique index decides, so two tabs submitting at
 * once get one appeal).
 */
export async function insertAppeal(db: Database, appeal: NewAppeal): Promise<number | undefined> {
  const [row] = await db
    .insert(appeals)
    .values({ ...appeal, banCaseId: appeal.banCaseId ?? null, state: "open" })
    .onConflictDoNothing()
    .returning({ id: appeals.id });
  return row?.id;
}

// The staff's side: posting appeals and deciding them.


/** The guild's appeal as its staff may act on it; undefined for an id of another guild or none. */
export async function findAppeal(db: Database, guildId: string, appealId: number): Promise<AppealRow | undefined> {
  const [row] = await db
    .select()
    .from(appeals)
    .where(and(eq(appeals.id, appealId), eq(appeals.guildId, guildId)));
  return row;
}

/**
 * How long one post of an appeal may take before another run may post it
 * instead: a process that died mid-post must not keep its appeal unposted.
 */
const POSTING_LEASE = sql`interval '5 minutes'`;

/** How many appeals one run posts: the rest wait for the next, well inside the posting lease. */
const POSTS_PER_RUN = 25;

/**
 * Takes open appeals with no staff message yet, whose guild takes appeals,
 * with a lease on posting each: `channel_id` set while `message_id` is still
 * null means "being posted there since `updated_at`", so a run (or a
 * notifier) that posts concurrently gets none of the same rows. `appealId`
 * narrows it to one appeal, `guildId` to one guild, `shard` to one shard's guilds.
 */
export async function claimUnpostedAppeals(
  db: Database,
  scope: { appealId?: number; guildId?: string; shard?: WorkScope["shard"] },
): Promise<AppealRow[]> {
  const postable = and(
    eq(guilds.id, appeals.guildId),
    eq(guilds.appealsEnabled, true),
    isNotNull(guilds.appealsChannelId),
    eq(appeals.state, "open"),
    isNull(appeals.messageId),
    or(isNull(appeals.channelId), lt(appeals.updatedAt, sql`now() - ${POSTING_LEASE}`)),
    scope.appealId === undefined ? undefined : eq(appeals.id, scope.appealId),
    scope.guildId === undefined ? undefined : eq(appeals.guildId, scope.guildId),
    inShard(appeals.guildId, scope.shard),
  );
  // The conditions are repeated outside the batch: a run that lost the race for a row re-checks them and skips it.
  const batch = db.select({ id: appeals.id }).from(appeals).innerJoin(guilds, postable).orderBy(asc(appeals.id)).limit(POSTS_PER_RUN);
  const rows = await db
    .update(appeals)
    .set({ channelId: sql`${guilds.appealsChannelId}`, updatedAt: sql`now()` })
    .from(guilds)
    .where(and(postable, inArray(appeals.id, batch)))
    .returning(getTableColumns(appeals));
  return rows.sort((a, b) => a.id - b.id);
}

export async function setAppealMessage(db: Database, appealId: number, channelId: string, messageId: string): Promise<void> {
  await db.update(appeals).set({ channelId, messageId, updatedAt: sql`now()` }).where(eq(appeals.id, appealId));
}

/** Gives an appeal back to the next run when posting it failed. */
export async function releaseAppealPosting(db: Database, appealId: number): Promise<void> {
  await db
    .update(appeals)
    .set({ channelId: null, updatedAt: sql`now()` })
    .where(and(eq(appeals.id, appealId), isNull(appeals.messageId)));
}

/**
 * Takes the open appeal for one staff member's Accept. One conditional
 * UPDATE: of any number of simultaneous clicks, exactly one gets the row
 * back. The claimer is kept in `decided_by`, and `updated_at` is the claim's
 * time, so the unban case it leads to can be found if its process dies.
 */
export async function claimAppealForAccept(db: Database, guildId: string, appealId: number, actorId: string): Promise<AppealRow | undefined> {
  const [row] = await db
    .update(appeals)
    .set({ state: "accepting", decidedBy: actorId, updatedAt: sql`now()` })
    .where(and(eq(appeals.id, appealId), eq(appeals.guildId, guildId), eq(appeals.state, "open")))
    .returning();
  return row;
}

/**
 * Records the applied unban. From `accepting`, or from `open` when the sweep
 * gave a slow claim back meanwhile: the player is unbanned either way, and
 * the appeal must say so.
 */
export async function markAppealAccepted(db: Database, appealId: number, unbanCase: CaseRow): Promise<AppealRow | undefined> {
  const [row] = await db
    .update(appeals)
    .set({
      state: "accepted",
      unbanCaseId: unbanCase.id,
      decidedBy: unbanCase.moderatorDiscordId,
      decidedAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(appeals.id, appealId), inArray(appeals.state, ["accepting", "open"])))
    .returning();
  return row;
}

/** Gives an Accept's claim back when the unban did not happen, so staff can decide again. */
export async function reopenAppeal(db: Database, appealId: number): Promise<void> {
  await db
    .update(appeals)
    .set({ state: "open", decidedBy: null, updatedAt: sql`now()` })
    .where(and(eq(appeals.id, appealId), eq(appeals.state, "accepting")));
}

/** Declines an open appeal with the answer the player reads; one conditional UPDATE, so one decision. */
export async function declineOpenAppeal(
  db: Database,
  decline: { guildId: string; appealId: number; actorId: string; publicAnswer: string },
): Promise<AppealRow | undefined> {
  const [row] = await db
    .update(appeals)
    .set({ state: "declined", publicAnswer: decline.publicAnswer, decidedBy: decline.actorId, decidedAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(appeals.id, decline.appealId), eq(appeals.guildId, decline.guildId), eq(appeals.state, "open")))
    .returning();
  return row;
}

/** An Accept claim this old with its unban case not pending may belong to a process that died. */
const ORPHANED_CLAIM = sql`interval '1 minute'`;

/** Accept claims older than a minute in the shard's guilds: settled from their unban case, or given back. */
export async function listStaleAcceptingAppeals(db: Database, shard: WorkScope["shard"]): Promise<AppealRow[]> {
  return db
    .select()
    .from(appeals)
    .where(and(eq(appeals.state, "accepting"), lt(appeals.updatedAt, sql`now() - ${ORPHANED_CLAIM}`), inShard(appeals.guildId, shard)))
    .orderBy(asc(appeals.id));
}

/** The unban an Accept claim led to: the claimer's unban of this very ban target, recorded after the claim. */
export async function findAcceptUnbanCase(db: Database, appeal: AppealRow): Promise<CaseRow | undefined> {
  const [row] = await db
    .select()
    .from(cases)
    .where(
      and(
        eq(cases.guildId, appeal.guildId),
        eq(cases.action, "unban"),
        eq(cases.robloxUserId, appeal.robloxUserId),
        eq(cases.universeId, appeal.universeId),
        appeal.placeId === null ? isNull(cases.placeId) : eq(cases.placeId, appeal.placeId),
        appeal.decidedBy === null ? undefined : eq(cases.moderatorDiscordId, appeal.decidedBy),
        gte(cases.createdAt, appeal.updatedAt),
      ),
    )
    .orderBy(desc(cases.createdAt))
    .limit(1);
  return row;
}
