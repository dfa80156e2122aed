import { EmbedBuilder, TimestampStyles, time } from "discord.js";
import type { CaseRow } from "../db/cases.js";
import type { EvidenceFile } from "../db/evidence.js";
import { describeDuration } from "../services/moderation/banDuration.js";
import { clipText } from "../services/clipText.js";
import { CASE_ACTION_NAMES } from "./caseActionNames.js";
import { addEvidenceToEmbed } from "./evidenceFiles.js";

const COLOURS = {
  ban: 0xed4245,
  unban: 0x57f287,
  join_accept: 0x57f287,
  join_decline: 0xfee75c,
  rank: 0x5865f2,
  suspend: 0xe67e22,
  unsuspend: 0x57f287,
  group_remove: 0xe67e22,
  group_ban: 0xed4245,
  group_unban: 0x57f287,
  failed: 0x747f8d,
  pending: 0xfaa61a,
};

export interface CaseEmbedContext {
  /** The linked experience's name, when the case has one. */
  experienceName: string | undefined;
  avatarUrl: string | undefined;
  /** The case's notes in short, as the mod log shows them; `/case show` lists them all instead. */
  notes?: { count: number; latest: { authorDiscordId: string; body: string; createdAt: Date } } | undefined;
  /** The case's files, and the image among them to show (sent with the message under its `sentName`). */
  evidence?: { files: readonly EvidenceFile[]; image: EvidenceFile | undefined };
}

export const profileUrl = (userId: string) => `https://www.roblox.com/users/${userId}/profile`;

/** One case as the mod log shows it; the same builder renders every later edit. */
export function buildCaseEmbed(row: CaseRow, context: CaseEmbedContext): EmbedBuilder {
  const colour = row.status === "applied" ? COLOURS[row.action] : COLOURS[row.status];
  const player = `[${row.robloxUsername ?? row.robloxUserId}](${profileUrl(row.robloxUserId)}) (\`${row.robloxUserId}\`)`;
  const embed = new EmbedBuilder()
    .setColor(colour)
    .setTitle(`Case #${row.number} · ${CASE_ACTION_NAMES[row.action]}`)
    .setDescription(player)
    .setTimestamp(row.createdAt)
    .setFooter({ text: `Case ${row.number}` });
  if (context.avatarUrl !== undefined) embed.setThumbnail(context.avatarUrl);

  if (row.universeId !== null) {
    const experience = `${context.experienceName ?? "Experience"} (\`${row.universeId}\`)`;
    embed.addFields({ name: "Where", value: row.placeId === null ? `${experience}, every place` : `${experience}, place \`${row.placeId}\``, inline: true });
  }
  if (row.groupId !== null) embed.addFields({ name: "Group", value: `\`${row.groupId}\``, inline: true });
  if (row.toRoleId !== null) embed.addFields({ name: "Role", value: `${roleOf(row.fromRoleName, row.fromRoleId)} → ${roleOf(row.toRoleName, row.toRoleId)}`, inline: true });
  if (row.action === "suspend") {
    const expiry = row.expiresAt === null ? "" : `, ends ${time(row.expiresAt, TimestampStyles.RelativeTime)}`;
    embed.addFields({ name: "Duration", value: `${describeDuration(row.durationSeconds)}${expiry}`, inline: true });
  }
  if (row.action === "ban") {
    const expiry = row.expiresAt === null ? "" : `, ends ${time(row.expiresAt, TimestampStyles.RelativeTime)}`;
    embed.addFields(
      { name: "Duration", value: `${describeDuration(row.durationSeconds)}${expiry}`, inline: true },
      { name: "Alt accounts", value: row.excludeAltAccounts ? "not banned (excluded)" : "banned too", inline: true },
      { name: "Public reason", value: quote(row.publicReason) },
    );
  }
  embed.addFields(
    { name: row.action === "ban" ? "Private reason" : "Reason", value: quote(row.privateReason) },
    { name: "Moderator", value: moderatorOf(row), inline: true },
    { name: "Status", value: statusOf(row), inline: true },
  );
  if (context.notes !== undefined) {
    const { count, latest } = context.notes;
    embed.addFields({
      name: `Notes (${count})`,
      value: clipText(`Latest, by <@${latest.authorDiscordId}> ${time(latest.createdAt, TimestampStyles.ShortDateTime)}: ${latest.body}`, 1024),
    });
  }
  if (context.evidence !== undefined) addEvidenceToEmbed(embed, context.evidence.files, context.evidence.image);
  return embed;
}

function moderatorOf(row: CaseRow): string {
  // Roblox's log shows a Roblox user for Creator Hub and for any Open Cloud tool alike.
  if (row.source === "creator_hub") {
    return row.robloxModeratorId === null ? "Creator Hub" : `[Roblox user ${row.robloxModeratorId}](${profileUrl(row.robloxModeratorId)}) (Creator Hub or another tool)`;
  }
  if (row.source === "in_game") return "In-game";
  if (row.source === "group_audit_log") {
    return row.robloxModeratorId === null ? "in Roblox" : `[Roblox user ${row.robloxModeratorId}](${profileUrl(row.robloxModeratorId)}) (in Roblox, outside Warden)`;
  }
  return row.moderatorDiscordId === null ? "unknown" : `<@${row.moderatorDiscordId}>`;
}

function statusOf(row: CaseRow): string {
  if (row.status === "applied") return "applied";
  if (row.status === "pending") return "pending: waiting for Roblox";
  return clipText(`failed: ${row.error ?? "unknown reason"}`, 1024);
}

const roleOf = (name: string | null, id: string | null) => (id === null ? "none" : `${name ?? "role"} (\`${id}\`)`);

const quote = (text: string | null) => (text === null || text === "" ? "none" : clipText(text, 1024));
