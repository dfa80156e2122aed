import { DiscordAPIError, EmbedBuilder, RESTJSONErrorCodes, Routes, type Client, type RawFile } from "discord.js";
import type { CaseRow } from "../db/cases.js";
import type { Database } from "../db/connection.js";
import { getGuildChannels } from "../db/guilds.js";
import { listLinks } from "../db/links.js";
import type { Logger } from "../log.js";
import type { PlayerProfiles } from "../services/playerProfiles.js";
import type { CasePublisher, ExpiryNotices, PublishOutcome, SetupNotices } from "../services/ports.js";
import { buildCaseEmbed, profileUrl } from "./caseEmbed.js";
import { NO_MENTIONS } from "./client.js";
import { sentName } from "./evidenceFiles.js";
import { createdMessage } from "./discordMessages.js";

export type ModLogOutcome = PublishOutcome;

export interface ConfigChange {
  actorId: string;
  /** What changed, in words; never a secret (keys appear only as fingerprints). */
  summary: string;
}

/** The guild's public record. A post that fails is reported, never thrown: the action it records already happened. */
export interface ModLog extends CasePublisher, SetupNotices, ExpiryNotices {
  configChanged(guildId: string, change: ConfigChange): Promise<ModLogOutcome>;
}

const CONFIG_COLOUR = 0x5865f2;
const NOTICE_COLOUR = 0xfee75c;
const EXPIRED_COLOUR = 0x57f287;

export function createModLog(client: Client, db: Database, profiles: PlayerProfiles, logger: Logger): ModLog {
  /**
   * Posts, or edits `editMessageId` in place; a message deleted by hand is
   * posted again. An edit with `files` replaces the message's files with
   * them (Discord keeps only those the edit lists).
   */
  async function post(guildId: string, embed: EmbedBuilder, editMessageId?: string | null, files: readonly RawFile[] = []): Promise<ModLogOutcome> {
    const { modLogChannelId } = await getGuildChannels(db, guildId);
    if (modLogChannelId === null) {
      return { posted: false, problem: "No mod-log channel is set; choose one with `/setup channels log:`." };
    }
    const attachments = files.length === 0 ? {} : { attachments: files.map((file, index) => ({ id: index, filename: file.name })) };
    const body = { embeds: [embed.toJSON()], allowed_mentions: NO_MENTIONS, ...attachments };
    const request = { body, ...(files.length === 0 ? {} : { files: [...files] }) };
    try {
      if (editMessageId) {
        try {
          await client.rest.patch(Routes.channelMessage(modLogChannelId, editMessageId), request);
          return { posted: true, messageId: editMessageId };
        } catch (error) {
          if (!(error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMessage)) throw error;
        }
      }
      const message = createdMessage.parse(await client.rest.post(Routes.channelMessages(modLogChannelId), request));
      return { posted: true, messageId: message.id };
    } catch (error) {
      const problem = describePostFailure(error, modLogChannelId, MOD_LOG_CHANNEL);
      if (problem === undefined) throw error;
      logger.warn({ guildId, channelId: modLogChannelId, err: error }, "mod-log post failed");
      return { posted: false, problem };
    }
  }

  /** The name the guild gave the case's experience; undefined when it is no longer linked. */
  async function experienceNameOf(row: CaseRow): Promise<string | undefined> {
    if (row.universeId === null) return undefined;
    const links = await listLinks(db, row.guildId);
    return links.find((link) => link.kind === "universe" && link.robloxId === row.universeId)?.displayName;
  }

  return {
    async publishCase(row, notes, evidence) {
      const [experienceName, avatarUrl] = await Promise.all([experienceNameOf(row), profiles.avatarUrl(row.robloxUserId, row.guildId)]);
      const { files, image } = evidence;
      const embed = buildCaseEmbed(row, { experienceName, avatarUrl, notes, evidence: { files, image: image?.file } });
      // The image is sent again with every edit: an edit keeps only the files it lists, and an
      // embed reaches its image by a name uploaded with it. Cases change rarely; the bytes are Warden's.
      const shown = image === undefined ? [] : [{ name: sentName(image.file, files), data: image.bytes, contentType: image.file.contentType }];
      return post(row.guildId, embed, row.modLogMessageId, shown);
    },

    configChanged(guildId, change) {
      const embed = new EmbedBuilder()
        .setColor(CONFIG_COLOUR)
        .setTitle("Configuration changed")
        .setDescription(change.summary)
        .addFields({ name: "By", value: `<@${change.actorId}>`, inline: true })
        .setTimestamp(new Date());
      return post(guildId, embed);
    },

    async postBanExpired(row) {
      const experience = (await experienceNameOf(row)) ?? `experience ${row.universeId}`;
      const where = row.placeId === null ? experience : `place ${row.placeId} of ${experience}`;
      const player = row.robloxUsername ?? `user ${row.robloxUserId}`;
      const ranOut = row.expiresAt === null ? "" : ` <t:${Math.floor(row.expiresAt.getTime() / 1_000)}:R>`;
      const embed = new EmbedBuilder()
        .setColor(EXPIRED_COLOUR)
        .setTitle(`Case #${row.number} · Ban expired`)
        .setURL(profileUrl(row.robloxUserId))
        .setDescription(`**${player}** (\`${row.robloxUserId}\`) may play ${where} again: the ban ran out${ranOut}.`)
        .setTimestamp(new Date());
      const outcome = await post(row.guildId, embed);
      if (!outcome.posted) logger.warn({ guildId: row.guildId, caseId: row.id, problem: outcome.problem }, "ban expiry not posted");
    },

    async postSetupNotice(guildId, summary) {
      const embed = new EmbedBuilder().setColor(NOTICE_COLOUR).setTitle("Setup notice").setDescription(summary).setTimestamp(new Date());
      const outcome = await post(guildId, embed);
      if (!outcome.posted) logger.warn({ guildId, problem: outcome.problem, summary }, "setup notice not posted");
    },
  };
}

/** Which channel a post was for, and how staff choose another: what a failed post's explanation names. */
export interface ChannelRole {
  name: string;
  choose: string;
}

const MOD_LOG_CHANNEL: ChannelRole = { name: "mod-log channel", choose: "`/setup channels log:`" };

/** Why Warden could not post in `channelId`, in words staff can act on; undefined for a failure they cannot fix. */
export function describePostFailure(error: unknown, channelId: string, channel: ChannelRole): string | undefined {
  if (!(error instanceof DiscordAPIError)) return undefined;
  switch (error.code) {
    case RESTJSONErrorCodes.MissingAccess:
    case RESTJSONErrorCodes.MissingPermissions:
      return `Warden can't post in <#${channelId}>: it needs View Channel, Send Messages and Embed Links there.`;
    case RESTJSONErrorCodes.UnknownChannel:
      return `The ${channel.name} <#${channelId}> no longer exists; choose another with ${channel.choose}.`;
    default:
      return undefined;
  }
}
