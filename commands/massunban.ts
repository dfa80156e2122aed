import {
  ApplicationCommandOptionType,
  InteractionContextType,
  PermissionFlagsBits,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import { suggestLinks } from "../src/discord/autocomplete.js";
import type { CommandModule } from "../src/discord/commandModule.js";
import { experienceOption } from "../src/discord/commandOptions.js";
import { answerMassRun } from "../src/discord/massRuns.js";
import { fileOption, usersOption } from "./massban.js";

export const definition = {
  name: "massunban",
  description: "Unban a list of players in a linked experience, after a preview",
  default_member_permissions: String(PermissionFlagsBits.BanMembers),
  contexts: [InteractionContextType.Guild],
  options: [
    usersOption,
    fileOption,
    { type: ApplicationCommandOptionType.String, name: "reason", description: "Why (staff only)", max_length: 1000 },
    experienceOption,
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const massunban: CommandModule = {
  definition,
  access: () => ({ permission: "unban" }),
  execute: (interaction, context) => answerMassRun(interaction, context, "unban"),
  autocomplete: (interaction, context) => suggestLinks(context, interaction.guildId, "universe", String(interaction.options.getFocused())),
};
