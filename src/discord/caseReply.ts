import { EmbedBuilder, TimestampStyles, time, type InteractionEditReplyOptions } from "discord.js";
import { listCasesForUser, type CaseRow } from "../db/cases.js";
import { avatarUrl } from "../services/avatar.js";
import { describeDuration } from "../services/moderation/banDuration.js";
import type { CaseResult } from "../services/moderation/restrictions.js";
import type { BotContext } from "./botContext.js";
import { profileUrl } from "./caseEmbed.js";
import { withModLogNote } from "./replies.js";

const MAX_PREVIOUS = 5;

/** The moderator's answer after a ban, an unban or a role change: who, where, the case, the expiry, and what came before. */
export async function buildCaseReply(context: BotContext, result: CaseResult): Promise<InteractionEditReplyOptions> {
  const { row } = result;
  const name = row.robloxUsername ?? row.robloxUserId;
  if (result.failure !== undefined) {
    return {
      content: withModLogNote(`Case #${row.number}: the ${row.action} of **${name}** failed. ${result.failure}`, result.published),
      embeds: [],
      components: [],
    };
  }
  const embed = new EmbedBuilder()
    .setColor(row.action === "ban" || row.action === "suspend" ? 0xed4245 : 0x57f287)
    .setTitle(`Case #${row.number} · ${VERBS[row.action]} ${name}`)
    .setURL(profileUrl(row.robloxUserId))
    .setDescription(`Roblox user \`${row.robloxUserId}\`${whereOf(row)}`);
  if (row.action === "ban" || row.action === "suspend") {
    embed.addFields({
      name: "Duration",
      value:
        row.expiresAt === null
          ? describeDuration(row.durationSeconds)
          : `${describeDuration(row.durationSeconds)}, ends ${time(row.expiresAt, TimestampStyles.LongDateTime)} (${time(row.expiresAt, TimestampStyles.RelativeTime)})`,
    });
  }
  const previous = (await listCasesForUser(context.db, row.guildId, row.robloxUserId)).filter((other) => other.id !== row.id);
  if (previous.length > 0) embed.addFields({ name: "Previous cases here", value: summarise(previous) });
  const avatar = await avatarUrl(context.openCloud, row.robloxUserId, row.guildId);
  if (avatar !== undefined) embed.setThumbnail(avatar);
  const note = withModLogNote("", result.published).trim();
  return { content: note === "" ? undefined : note, embeds: [embed], components: [] };
}

const VERBS = {
  ban: "Banned",
  unban: "Unbanned",
  join_accept: "Accepted",
  join_decline: "Declined",
  rank: "Ranked",
  suspend: "Suspended",
  unsuspend: "Lifted the suspension of",
} as const;

function whereOf(row: CaseRow): string {
  if (row.groupId !== null) return `, group \`${row.groupId}\`: ${row.fromRoleName ?? "?"} → ${row.toRoleName ?? "?"}`;
  return row.placeId ? `, place \`${row.placeId}\`` : ", every place";
}

function summarise(rows: CaseRow[]): string {
  const lines = rows
    .slice(0, MAX_PREVIOUS)
    .map((row) => `#${row.number} ${row.action} (${row.status}) ${time(row.createdAt, TimestampStyles.RelativeTime)}`);
  if (rows.length > MAX_PREVIOUS) lines.push(`and ${rows.length - MAX_PREVIOUS} more: \`/case list\``);
  return lines.join("\n");
}
