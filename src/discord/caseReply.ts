import { EmbedBuilder, TimestampStyles, time, type InteractionEditReplyOptions } from "discord.js";
import type { CaseRow } from "../db/cases.js";
import { describeDuration } from "../services/moderation/banDuration.js";
import type { PlayerRecord } from "../services/moderation/playerRecord.js";
import type { CaseResult } from "../services/moderation/restrictions.js";
import type { BotContext } from "./botContext.js";
import { profileUrl } from "./caseEmbed.js";
import { playerRecordFields } from "./playerRecordFields.js";
import { withModLogNote } from "./replies.js";

/**
 * The moderator's answer after a ban, an unban or a role change: who, where,
 * the case, the expiry, and, for bans and unbans, the player's record as read
 * before acting.
 */
export async function buildCaseReply(context: BotContext, result: CaseResult, record?: PlayerRecord): Promise<InteractionEditReplyOptions> {
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
  if (record !== undefined) embed.addFields(playerRecordFields(record));
  const avatar = await context.profiles.avatarUrl(row.robloxUserId, row.guildId);
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
  group_remove: "Removed",
  group_ban: "Group-banned",
  group_unban: "Group-unbanned",
} as const;

function whereOf(row: CaseRow): string {
  if (row.groupId !== null) return `, group \`${row.groupId}\`: ${row.fromRoleName ?? "?"} → ${row.toRoleName ?? "?"}`;
  return row.placeId ? `, place \`${row.placeId}\`` : ", every place";
}
