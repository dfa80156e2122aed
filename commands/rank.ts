import {
  ApplicationCommandOptionType,
  InteractionContextType,
  PermissionFlagsBits,
  type ApplicationCommandOptionChoiceData,
  type AutocompleteInteraction,
  type InteractionEditReplyOptions,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import { suggestGroupRoles, suggestLinks, suggestPlayerChoices } from "../src/discord/autocomplete.js";
import { moderationDeps, type BotContext } from "../src/discord/botContext.js";
import { buildCaseReply } from "../src/discord/caseReply.js";
import type { CommandModule } from "../src/discord/commandModule.js";
import { groupOption, playerOption } from "../src/discord/commandOptions.js";
import { requiredString, stringOption, type CommandRequest } from "../src/discord/commandRequest.js";
import { answerNamingPlayer } from "../src/discord/playerChoice.js";
import { applyRank, prepareRank } from "../src/services/ranks/rankMember.js";

export const definition = {
  name: "rank",
  description: "Give a member of a linked Roblox group another role",
  default_member_permissions: String(PermissionFlagsBits.ModerateMembers),
  contexts: [InteractionContextType.Guild],
  options: [
    playerOption,
    { type: ApplicationCommandOptionType.String, name: "role", description: "The role to give", required: true, autocomplete: true },
    groupOption,
    { type: ApplicationCommandOptionType.String, name: "reason", description: "Why (staff only)", max_length: 1000 },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const rank: CommandModule = {
  definition,
  access: () => ({ permission: "rank" }),
  execute: (interaction, context) => answerNamingPlayer(interaction, context, answerRank),
  answer: answerRank,
  autocomplete: suggestForGroupCommand,
};

async function answerRank(command: CommandRequest, context: BotContext): Promise<InteractionEditReplyOptions> {
  const deps = moderationDeps(context);
  const change = await prepareRank(deps, {
    guildId: command.guildId,
    moderatorId: command.invokerId,
    player: requiredString(command, "user"),
    role: requiredString(command, "role"),
    group: stringOption(command, "group"),
    reason: stringOption(command, "reason"),
  });
  return buildCaseReply(context, await applyRank(deps, change));
}

/** Autocomplete of the group commands: the player, the group, or the group's roles, whichever is being typed. */
export function suggestForGroupCommand(
  interaction: AutocompleteInteraction<"cached">,
  context: BotContext,
): Promise<ApplicationCommandOptionChoiceData[]> {
  const focused = interaction.options.getFocused(true);
  if (focused.name === "group") return suggestLinks(context, interaction.guildId, "group", focused.value);
  if (focused.name === "role") {
    return suggestGroupRoles(context, interaction.guildId, interaction.options.getString("group") ?? undefined, focused.value);
  }
  return suggestPlayerChoices(context, focused.value);
}
