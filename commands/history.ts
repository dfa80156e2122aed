import {
  InteractionContextType,
  PermissionFlagsBits,
  TimestampStyles,
  time,
  type InteractionEditReplyOptions,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import { suggestPlayerOrExperience } from "../src/discord/autocomplete.js";
import type { BotContext } from "../src/discord/botContext.js";
import type { CommandModule } from "../src/discord/commandModule.js";
import { experienceOption, playerOption } from "../src/discord/commandOptions.js";
import { requiredString, stringOption, type CommandRequest } from "../src/discord/commandRequest.js";
import { answerNamingPlayer } from "../src/discord/playerChoice.js";
import { describeDuration } from "../src/services/moderation/banDuration.js";
import { playerHistory, type HistoryEntry } from "../src/services/lookup.js";
import { clipText } from "../src/services/clipText.js";

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
  execute: (interaction, context) => answerNamingPlayer(interaction, context, answerHistory),
  answer: answerHistory,
  autocomplete: suggestPlayerOrExperience,
};

async function answerHistory(command: CommandRequest, context: BotContext): Promise<InteractionEditReplyOptions> {
  const { player, experienceName, entries } = await playerHistory(
    context,
    command.guildId,
    requiredString(command, "user"),
    stringOption(command, "experience"),
  );
  const header = `History of **${player.name}** (\`${player.id}\`) in ${experienceName}:`;
  if (entries.length === 0) return { content: `${header}\nnothing: never banned there.`, embeds: [], components: [] };
  const lines = entries.slice(0, SHOWN).map(describeEntry);
  if (entries.length > SHOWN) lines.push(`…and ${entries.length - SHOWN} older entries.`);
  return { content: clipText(`${header}\n${lines.join("\n")}`, 2000), embeds: [], components: [] };
}

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
  const reason = entry.reason ? `: ${clipText(entry.reason, 80)}` : "";
  return `${time(entry.at, TimestampStyles.ShortDateTime)} ${what}${where}, ${who}${reason}`;
}
