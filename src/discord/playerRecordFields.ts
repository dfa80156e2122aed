import { TimestampStyles, time, type APIEmbedField } from "discord.js";
import type { PlayerRecord } from "../services/moderation/playerRecord.js";
import { clipText } from "../services/clipText.js";
import { caseActionWord } from "./caseActionNames.js";

/** A player's record as embed fields: their cases here, and, when the guild links other experiences, their bans there. */
export function playerRecordFields(record: PlayerRecord): APIEmbedField[] {
  const lines = record.cases.map(
    (row) => `#${row.number} ${caseActionWord(row.action)} (${row.status}) ${time(row.createdAt, TimestampStyles.RelativeTime)}`,
  );
  if (record.totalCases > record.cases.length) lines.push(`and ${record.totalCases - record.cases.length} more: \`/case list\``);
  const fields = [{ name: "Previous cases here", value: lines.length === 0 ? "none" : lines.join("\n") }];
  if (record.elsewhere.length > 0) {
    const banned = record.elsewhere.filter((other) => other.banned === true).map((other) => other.experienceName);
    const unknown = record.elsewhere.filter((other) => other.banned === undefined).map((other) => other.experienceName);
    const value = [banned.length === 0 ? "banned in none" : `banned in ${banned.join(", ")}`];
    if (unknown.length > 0) value.push(`Roblox did not say for ${unknown.join(", ")}`);
    fields.push({ name: "Other linked experiences", value: clipText(value.join("\n"), 1024) });
  }
  return fields;
}
