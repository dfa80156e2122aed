import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  DiscordAPIError,
  EmbedBuilder,
  RESTJSONErrorCodes,
  Routes,
  TimestampStyles,
  time,
  type APIEmbed,
  type Client,
} from "discord.js";
import type { Database } from "../db/connection.js";
import { getGuildChannels } from "../db/guilds.js";
import type { Metrics } from "../metrics.js";
import type { JoinRequestCard, ReviewBoard } from "../services/ports.js";
import { profileUrl } from "./caseEmbed.js";
import { NO_MENTIONS } from "./client.js";
import { encodeCustomId } from "./customIds.js";
import { createdMessage, postedEmbeds } from "./discordMessages.js";

const DAY_MS = 86_400_000;

/** A join request as staff see it in the review channel, with its two buttons. */
export function buildReviewCard(card: JoinRequestCard, decided?: string) {
  const age =
    card.accountCreated === null
      ? "unknown"
      : `${Math.floor((Date.now() - card.accountCreated.getTime()) / DAY_MS)} days (created ${time(card.accountCreated, TimestampStyles.LongDate)})`;
  const embed = new EmbedBuilder()
    .setColor(card.bannedIn.length > 0 ? 0xed4245 : 0x5865f2)
    .setTitle(`Join request: ${card.username}`)
    .setURL(profileUrl(card.userId))
    .setDescription(`${card.displayName && card.displayName !== card.username ? `${card.displayName} · ` : ""}Roblox user \`${card.userId}\``)
    .addFields(
      { name: "Account age", value: age, inline: true },
      { name: "Requested", value: time(card.requestedAt, TimestampStyles.RelativeTime), inline: true },
      { name: "Banned in", value: card.bannedIn.join(", ") || "no linked experience", inline: true },
      { name: "Previous cases here", value: String(card.previousCases), inline: true },
    )
    .setFooter({ text: `Group ${card.groupName} (${card.groupId})` });
  const buttons = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(encodeCustomId({ kind: "joinRequest", decision: "accept", groupId: card.groupId, userId: card.userId }))
      .setLabel("Approve")
      .setStyle(ButtonStyle.Success),
    new ButtonBuilder()
      .setCustomId(encodeCustomId({ kind: "joinRequest", decision: "decline", groupId: card.groupId, userId: card.userId }))
      .setLabel("Decline")
      .setStyle(ButtonStyle.Danger),
  );
  if (decided !== undefined) return withDecision(embed.toJSON(), decided);
  return { embeds: [embed.toJSON()], components: [buttons.toJSON()] };
}

/** A decided card: the decision added to its embed, its buttons gone so nobody clicks twice. */
export function withDecision(card: APIEmbed | undefined, decided: string) {
  const embed = new EmbedBuilder(card ?? { title: "Join request" }).addFields({ name: "Decision", value: decided });
  return { embeds: [embed.toJSON()], components: [] };
}

/** `metrics`, when served, learns how long each request waited for its card. */
export function createReviewBoard(client: Client, db: Database, metrics?: Pick<Metrics, "joinRequestCarded">): ReviewBoard {
  return {
    async postRequest(guildId, card, decided) {
      const { reviewChannelId } = await getGuildChannels(db, guildId);
      if (reviewChannelId === null) {
        return { posted: false, problem: "No review channel is set; choose one with `/setup channels review:`." };
      }
      try {
        const message = createdMessage.parse(
          await client.rest.post(Routes.channelMessages(reviewChannelId), {
            body: { ...buildReviewCard(card, decided), allowed_mentions: NO_MENTIONS },
          }),
        );
        // A request Roblox sent without its createTime is on record at the epoch: it has no delay to tell.
        if (card.requestedAt.getTime() > 0) metrics?.joinRequestCarded((Date.now() - card.requestedAt.getTime()) / 1_000);
        return { posted: true, messageId: message.id, channelId: reviewChannelId };
      } catch (error) {
        if (
          error instanceof DiscordAPIError &&
          (error.code === RESTJSONErrorCodes.MissingAccess || error.code === RESTJSONErrorCodes.MissingPermissions)
        ) {
          return { posted: false, problem: `Warden can't post in <#${reviewChannelId}>: it needs View Channel, Send Messages and Embed Links there.` };
        }
        if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownChannel) {
          return { posted: false, problem: "The review channel no longer exists; choose another with `/setup channels review:`." };
        }
        throw error;
      }
    },

    async showDecision(channelId, messageId, decided) {
      const message = postedEmbeds.parse(await client.rest.get(Routes.channelMessage(channelId, messageId)));
      await client.rest.patch(Routes.channelMessage(channelId, messageId), {
        body: { ...withDecision(message.embeds[0], decided), allowed_mentions: NO_MENTIONS },
      });
    },
  };
}
