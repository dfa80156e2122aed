import {
  ApplicationCommandOptionType,
  InteractionContextType,
  PermissionFlagsBits,
  type InteractionEditReplyOptions,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import { suggestPlayerOrExperience } from "../src/discord/autocomplete.js";
import { moderationDeps, type BotContext } from "../src/discord/botContext.js";
import { buildCaseReply } from "../src/discord/caseReply.js";
import type { CommandModule } from "../src/discord/commandModule.js";
import { experienceOption, playerOption } from "../src/discord/commandOptions.js";
import { requiredString, stringOption, type CommandRequest } from "../src/discord/commandRequest.js";
import { answerNamingPlayer } from "../src/discord/playerChoice.js";
import { readPlayerRecord } from "../src/services/moderation/playerRecord.js";
import { applyChange, prepareUnban } from "../src/services/moderation/restrictions.js";

export const definition = {
  name: "unban",
  description: "Lift a player's ban in a linked Roblox experience",
  default_member_permissions: String(PermissionFlagsBits.BanMembers),
  contexts: [InteractionContextType.Guild],
  options: [
    playerOption,
    experienceOption,
    { type: ApplicationCommandOptionType.String, name: "place", description: "Place id, when the ban was for one place", max_length: 20 },
    { type: ApplicationCommandOptionType.String, name: "reason", description: "Why (staff only)", max_length: 1000 },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const unban: CommandModule = {
  definition,
  access: () => ({ permission: "unban" }),
  execute: (interaction, context) => answerNamingPlayer(interaction, context, answerUnban),
  answer: answerUnban,
  autocomplete: suggestPlayerOrExperience,
};

async function answerUnban(command: CommandRequest, context: BotContext): Promise<InteractionEditReplyOptions> {
  const deps = moderationDeps(context);
  const change = await prepareUnban(deps, {
    guildId: command.guildId,
    moderatorId: command.invokerId,
    player: requiredString(command, "user"),
    experience: stringOption(command, "experience"),
    placeId: stringOption(command, "place"),
    reason: stringOption(command, "reason"),
  });
  const record = await readPlayerRecord(deps, command.guildId, { id: change.player.id, universeId: change.universeId });
  return buildCaseReply(context, await applyChange(deps, change), record);
}
