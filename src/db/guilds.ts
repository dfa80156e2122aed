import { eq, sql } from "drizzle-orm";
import type { Database } from "./connection.js";
import { guilds } from "./schema.js";

export interface GuildChannels {
  modLogChannelId: string | null;
  reviewChannelId: string | null;
}

export async function getGuildChannels(db: Database, guildId: string): Promise<GuildChannels> {
  const [row] = await db
    .select({ modLogChannelId: guilds.modLogChannelId, reviewChannelId: guilds.reviewChannelId })
    .from(guilds)
    .where(eq(guilds.id, guildId));
  return row ?? { modLogChannelId: null, reviewChannelId: null };
}

/** Sets the channels given; a channel left undefined keeps its current value. */
export async function setGuildChannels(
  db: Database,
  guildId: string,
  channels: Partial<GuildChannels>,
): Promise<GuildChannels> {
  const [row] = await db
    .insert(guilds)
    .values({ id: guildId, ...channels })
    .onConflictDoUpdate({ target: guilds.id, set: { ...channels, updatedAt: sql`now()` } })
    .returning({ modLogChannelId: guilds.modLogChannelId, reviewChannelId: guilds.reviewChannelId });
  if (row === undefined) throw new Error("The guild upsert returned no row.");
  return row;
}

export interface AppealSettings {
  channelId: string | null;
  enabled: boolean;
  cooldownDays: number;
}

const appealColumns = {
  channelId: guilds.appealsChannelId,
  enabled: guilds.appealsEnabled,
  cooldownDays: guilds.appealCooldownDays,
};

/** The schema's default cooling-off, for a guild with no row yet. */
const DEFAULT_APPEAL_COOLDOWN_DAYS = 30;

/** A guild never configured takes no appeals. */
export async function getAppealSettings(db: Database, guildId: string): Promise<AppealSettings> {
  const [row] = await db.select(appealColumns).from(guilds).where(eq(guilds.id, guildId));
  return row ?? { channelId: null, enabled: false, cooldownDays: DEFAULT_APPEAL_COOLDOWN_DAYS };
}

export async function setAppealSettings(db: Database, guildId: string, settings: AppealSettings): Promise<AppealSettings> {
  const values = { appealsChannelId: settings.channelId, appealsEnabled: settings.enabled, appealCooldownDays: settings.cooldownDays };
  const [row] = await db
    .insert(guilds)
    .values({ id: guildId, ...values })
    .onConflictDoUpdate({ target: guilds.id, set: { ...values, updatedAt: sql`now()` } })
    .returning(appealColumns);
  if (row === undefined) throw new Error("The guild upsert returned no row.");
  return row;
}
