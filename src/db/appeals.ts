import { and, count, desc, eq, gte, isNotNull, isNull, sql } from "drizzle-orm";
import type { Database } from "./connection.js";
import { appeals, cases, guilds, universeLinks } from "./schema.js";

export type AppealRow = typeof appeals.$inferSelect;

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
