import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  DiscordAPIError,
  EmbedBuilder,
  RESTJSONErrorCodes,
  Routes,
  TimestampStyles,
  escapeMarkdown,
  time,
  type APIEmbed,
  type Client,
} from "discord.js";
import type { Logger } from "../log.js";
import { describeDuration } from "../services/moderation/banDuration.js";
import { clipText } from "../services/clipText.js";
import type { AppealBoard, AppealCard, AppealDecision, PublishOutcome } from "../services/ports.js";
import { profileUrl } from "./caseEmbed.js";
import { NO_MENTIONS } from "./client.js";
import { encodeCustomId } from "./customIds.js";
import { createdMessage, postedEmbeds } from "./discordMessages.js";
import { describePostFailure, type ChannelRole } from "./modLog.js";

const OPEN_COLOUR = 0xfaa61a;
const ACCEPTED_COLOUR = 0x57f287;
const DECLINED_COLOUR = 0x747f8d;
const APPEALS_CHANNEL: ChannelRole = { name: "appeals channel", choose: "`/setup appeals channel:`" };
/** Discord's answers when a posted appeal can no longer be edited: deleted, its channel gone, or Warden shut out of it. */
const MESSAGE_OUT_OF_REACH = new Set<number>([
  RESTJSONErrorCodes.UnknownMessage,
  RESTJSONErrorCodes.UnknownChannel,
  RESTJSONErrorCodes.MissingAccess,
  RESTJSONErrorCodes.MissingPermissions,
]);

/** The appeals channel as staff use it: appeals posted there, and the check that Warden may post there at all. */
export interface DiscordAppealBoard extends AppealBoard {
  /** Posts `text` to the channel: the proof, when staff choose it, that appeals can be posted there. */
  announce(channelId: string, text: string): Promise<PublishOutcome>;
}

export function createAppealBoard(client: Client, logger: Logger): DiscordAppealBoard {
  async function post(channelId: string, body: object): Promise<PublishOutcome> {
    try {
      const message = createdMessage.parse(
        await client.rest.post(Routes.channelMessages(channelId), { body: { ...body, allowed_mentions: NO_MENTIONS } }),
      );
      return { posted: true, messageId: message.id };
    } catch (error) {
      const problem = describePostFailure(error, channelId, APPEALS_CHANNEL);
      if (problem === undefined) throw error;
      logger.warn({ channelId, err: error }, "appeals channel post failed");
      return { posted: false, problem };
    }
  }

  return {
    postAppeal: (channelId, card) => post(channelId, buildAppealMessage(card)),

    announce: (channelId, text) => post(channelId, { content: text }),

    async showDecision(channelId, messageId, decision) {
      try {
        const message = postedEmbeds.parse(await client.rest.get(Routes.channelMessage(channelId, messageId)));
        await client.rest.patch(Routes.channelMessage(channelId, messageId), {
          body: { ...withAppealDecision(message.embeds[0], decision), allowed_mentions: NO_MENTIONS },
        });
      } catch (error) {
        // The decision is stored and the player sees it; a message deleted by hand, or a channel Warden lost, only misses the word.
        if (!(error instanceof DiscordAPIError && MESSAGE_OUT_OF_REACH.has(Number(error.code)))) throw error;
        logger.warn({ channelId, messageId, err: error }, "could not show an appeal's decision on its message");
      }
    },
  };
}

/** An appeal as staff see it in the appeals channel: the player, the ban and its case, their words, and two buttons. */
export function buildAppealMessage(card: AppealCard) {
  const name = card.player.name === null ? `Roblox user ${card.player.id}` : escapeMarkdown(card.player.name);
  const where = `${escapeMarkdown(card.experienceName)} (\`${card.universeId}\`)${card.placeId === null ? ", every place" : `, place \`${card.placeId}\``}`;
  const embed = new EmbedBuilder()
    .setColor(OPEN_COLOUR)
    .setTitle(clipText(`Appeal #${card.appealId}: ${name}`, 256))
    .setURL(profileUrl(card.player.id))
    .setDescription(`Roblox user \`${card.player.id}\`\n\n**Their appeal**\n${asPlainText(card.text)}`)
    .addFields(
      { name: "Experience", value: clipText(where, 1024), inline: true },
      { name: "Banned since", value: time(card.banStartedAt, TimestampStyles.LongDateTime), inline: true },
      { name: "Until", value: banEnd(card), inline: true },
      ...banCaseFields(card),
    )
    .setFooter({ text: `Appeal ${card.appealId} · submitted` })
    .setTimestamp(card.submittedAt);
  if (card.player.avatarUrl !== undefined) embed.setThumbnail(card.player.avatarUrl);
  const buttons = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(encodeCustomId({ kind: "appeal", decision: "accept", appealId: card.appealId }))
      .setLabel("Accept (unban)")
      .setStyle(ButtonStyle.Success),
    new ButtonBuilder()
      .setCustomId(encodeCustomId({ kind: "appeal", decision: "decline", appealId: card.appealId }))
      .setLabel("Decline")
      .setStyle(ButtonStyle.Danger),
  );
  return { embeds: [embed.toJSON()], components: [buttons.toJSON()] };
}

/** A decided appeal: the outcome and who decided added to its embed, its buttons gone so nobody decides twice. */
export function withAppealDecision(posted: APIEmbed | undefined, decision: AppealDecision) {
  const by = decision.decidedBy === null ? "" : ` by <@${decision.decidedBy}>`;
  const when = time(decision.decidedAt, TimestampStyles.RelativeTime);
  const embed = new EmbedBuilder(posted ?? { title: "Appeal" }).setColor(decision.state === "accepted" ? ACCEPTED_COLOUR : DECLINED_COLOUR);
  if (decision.state === "accepted") {
    const unban = decision.unbanCaseNumber === undefined ? "" : ` · unbanned, case #${decision.unbanCaseNumber}`;
    embed.addFields({ name: "Decision", value: `Accepted${by} ${when}${unban}` });
  } else {
    embed.addFields(
      { name: "Decision", value: `Declined${by} ${when}` },
      { name: "Answer to the player", value: asPlainText(clipText(decision.publicAnswer ?? "", 1_000)) },
    );
  }
  return { embeds: [embed.toJSON()], components: [] };
}

/**
 * Text someone outside the server wrote, shown exactly as typed: in a code
 * block nothing renders (no markdown, links, mentions or timestamps), and a
 * fence inside it is broken with a zero-width space so it cannot close it.
 */
function asPlainText(text: string): string {
  return `\`\`\`\n${text.replaceAll("```", "`\u200b`\u200b`")}\n\`\`\``;
}

function banEnd(card: AppealCard): string {
  const ban = card.banCase;
  if (ban === undefined) return "unknown (no Warden case)";
  if (ban.expiresAt !== null) return time(ban.expiresAt, TimestampStyles.LongDateTime);
  return ban.durationSeconds === null ? "permanent" : describeDuration(ban.durationSeconds);
}

function banCaseFields(card: AppealCard) {
  const ban = card.banCase;
  if (ban === undefined) return [{ name: "Ban case", value: "none: banned outside Warden, or before its link" }];
  const reason = (text: string | null) => (text === null || text === "" ? "none" : clipText(text, 1024));
  return [
    { name: "Ban case", value: `#${ban.number}${ban.moderatorDiscordId === null ? "" : ` by <@${ban.moderatorDiscordId}>`}`, inline: true },
    { name: "Public reason (the player sees it)", value: reason(ban.publicReason) },
    { name: "Private reason (staff only)", value: reason(ban.privateReason) },
  ];
}
