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
