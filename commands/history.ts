import {
  InteractionContextType,
  PermissionFlagsBits,
  TimestampStyles,
  time,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import { suggestPlayerOrExperience } from "../src/discord/autocomplete.js";
import type { CommandModule } from "../src/discord/commandModule.js";
import { experienceOption, playerOption } from "../src/discord/commandOptions.js";
import { describeDuration } from "../src/services/moderation/banDuration.js";
import { playerHistory, type HistoryEntry } from "../src/services/lookup.js";

export const definition = {
  name: "history",
  description: "A player's ban history in an experience: Warden, Creator Hub and in-game",
  default_member_permissions: String(PermissionFlagsBits.ModerateMembers),
  contexts: [InteractionContextType.Guild],
  options: [
    playerOption,
    experienceOption,
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const SHOWN = 15;

export const history: CommandModule = {
  definition,
  access: () => ({ permission: "lookup" }),

  async execute(interaction, context) {
    const { player, experienceName, entries } = await playerHistory(
      context,
      interaction.guildId,
      interaction.options.getString("user", true),
      interaction.options.getString("experience") ?? undefined,
    );
    const header = `History of **${player.name}** (\`${player.id}\`) in ${experienceName}:`;
    if (entries.length === 0) {
      await interaction.editReply(`${header}\nnothing: never banned there.`);
      return;
    }
    const lines = entries.slice(0, SHOWN).map(describeEntry);
    if (entries.length > SHOWN) lines.push(`…and ${entries.length - SHOWN} older entries.`);
    await interaction.editReply(`${header}\n${lines.join("\n")}`.slice(0, 2000));
  },

  autocomplete: suggestPlayerOrExperience,
};

function describeEntry(entry: HistoryEntry): string {
  const what = entry.action === "ban" ? `ban (${describeDuration(entry.durationSeconds)})` : "unban";
  const where = entry.placeId === null ? "" : ` at place ${entry.placeId}`;
  const who =
    entry.by === "warden"
      ? `case #${entry.caseNumber}${entry.moderatorDiscordId ? ` by <@${entry.moderatorDiscordId}>` : ""}${entry.status === "applied" ? "" : ` (${entry.status})`}`
      : entry.by === "roblox-user"
        ? `Roblox user ${entry.robloxUserId} (Creator Hub or another Open Cloud tool)`
        : entry.by === "in-game"
          ? "in-game (a server script)"
          : "unknown source";
  const reason = entry.reason ? `: ${entry.reason.slice(0, 80)}` : "";
  return `${time(entry.at, TimestampStyles.ShortDateTime)} ${what}${where}, ${who}${reason}`;
}
