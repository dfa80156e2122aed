import {
  ApplicationCommandOptionType,
  InteractionContextType,
  PermissionFlagsBits,
  type InteractionEditReplyOptions,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import { moderationDeps, type BotContext } from "../src/discord/botContext.js";
import { buildCaseReply } from "../src/discord/caseReply.js";
import type { CommandModule } from "../src/discord/commandModule.js";
import { groupOption, playerOption } from "../src/discord/commandOptions.js";
import { requiredString, stringOption, type CommandRequest } from "../src/discord/commandRequest.js";
import { answerNamingPlayer } from "../src/discord/playerChoice.js";
import { applySuspend, prepareSuspend } from "../src/services/ranks/suspensions.js";
import { suggestForGroupCommand } from "./rank.js";

export const definition = {
  name: "suspend",
  description: "Move a member of a linked Roblox group to its suspended role for a time",
  default_member_permissions: String(PermissionFlagsBits.ModerateMembers),
  contexts: [InteractionContextType.Guild],
  options: [
    playerOption,
    { type: ApplicationCommandOptionType.String, name: "duration", description: "30m, 12h, 7d or 2w", required: true, max_length: 20 },
    { type: ApplicationCommandOptionType.String, name: "reason", description: "Why (staff only)", required: true, max_length: 1000 },
    groupOption,
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const suspend: CommandModule = {
  definition,
  access: () => ({ permission: "rank" }),
  execute: (interaction, context) => answerNamingPlayer(interaction, context, answerSuspend),
  answer: answerSuspend,
  autocomplete: suggestForGroupCommand,
};

async function answerSuspend(command: CommandRequest, context: BotContext): Promise<InteractionEditReplyOptions> {
  const deps = { ...moderationDeps(context), suspensionTimers: context.suspensionTimers };
  const change = await prepareSuspend(deps, {
    guildId: command.guildId,
    moderatorId: command.invokerId,
    player: requiredString(command, "user"),
    duration: requiredString(command, "duration"),
    reason: requiredString(command, "reason"),
    group: stringOption(command, "group"),
  });
  return buildCaseReply(context, await applySuspend(deps, change));
}
