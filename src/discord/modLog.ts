import { DiscordAPIError, EmbedBuilder, RESTJSONErrorCodes, Routes, type Client } from "discord.js";
import { z } from "zod";
import type { Database } from "../db/connection.js";
import { getGuildChannels } from "../db/guilds.js";
import type { Logger } from "../log.js";

export type ModLogOutcome = { posted: true; messageId: string } | { posted: false; problem: string };

export interface ConfigChange {
  actorId: string;
  /** What changed, in words; never a secret (keys appear only as fingerprints). */
  summary: string;
}

/** The guild's public record. A post that fails is reported, never thrown: the action it records already happened. */
export interface ModLog {
  configChanged(guildId: string, change: ConfigChange): Promise<ModLogOutcome>;
}

const CONFIG_COLOUR = 0x5865f2;
const createdMessage = z.object({ id: z.string() });

export function createModLog(client: Client, db: Database, logger: Logger): ModLog {
  async function post(guildId: string, embed: EmbedBuilder): Promise<ModLogOutcome> {
    const { modLogChannelId } = await getGuildChannels(db, guildId);
    if (modLogChannelId === null) {
      return { posted: false, problem: "No mod-log channel is set; choose one with `/setup channels log:`." };
    }
    try {
      const message = createdMessage.parse(
        await client.rest.post(Routes.channelMessages(modLogChannelId), { body: { embeds: [embed.toJSON()] } }),
      );
      return { posted: true, messageId: message.id };
    } catch (error) {
      const problem = describePostFailure(error, modLogChannelId);
      if (problem === undefined) throw error;
      logger.warn({ guildId, channelId: modLogChannelId, err: error }, "mod-log post failed");
      return { posted: false, problem };
    }
  }

  return {
    configChanged(guildId, change) {
      const embed = new EmbedBuilder()
        .setColor(CONFIG_COLOUR)
        .setTitle("Configuration changed")
        .setDescription(change.summary)
        .addFields({ name: "By", value: `<@${change.actorId}>`, inline: true })
        .setTimestamp(new Date());
      return post(guildId, embed);
    },
  };
}

function describePostFailure(error: unknown, channelId: string): string | undefined {
  if (!(error instanceof DiscordAPIError)) return undefined;
  switch (error.code) {
    case RESTJSONErrorCodes.MissingAccess:
    case RESTJSONErrorCodes.MissingPermissions:
      return `Warden can't post in <#${channelId}>: it needs View Channel, Send Messages and Embed Links there.`;
    case RESTJSONErrorCodes.UnknownChannel:
      return `The mod-log channel <#${channelId}> no longer exists; choose another with \`/setup channels log:\`.`;
    default:
      return undefined;
  }
}
