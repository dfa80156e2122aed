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
import { unsuspend as liftEarly } from "../src/services/ranks/suspensions.js";
import { suggestForGroupCommand } from "./rank.js";

export const definition = {
  name: "unsuspend",
  description: "Give a suspended group member their role back before the suspension ends",
  default_member_permissions: String(PermissionFlagsBits.ModerateMembers),
  contexts: [InteractionContextType.Guild],
  options: [
    playerOption,
    groupOption,
    { type: ApplicationCommandOptionType.String, name: "reason", description: "Why (staff only)", max_length: 1000 },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const unsuspend: CommandModule = {
  definition,
  access: () => ({ permission: "rank" }),
  execute: (interaction, context) => answerNamingPlayer(interaction, context, answerUnsuspend),
  answer: answerUnsuspend,
  autocomplete: suggestForGroupCommand,
};

async function answerUnsuspend(command: CommandRequest, context: BotContext): Promise<InteractionEditReplyOptions> {
  const result = await liftEarly(moderationDeps(context), {
    guildId: command.guildId,
    moderatorId: command.invokerId,
    player: requiredString(command, "user"),
    group: stringOption(command, "group"),
    reason: stringOption(command, "reason"),
  });
  return buildCaseReply(context, result);
}
