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

/** The list option both mass commands take: as long as Discord lets a string option be. */
export const usersOption = {
  type: ApplicationCommandOptionType.String,
  name: "users",
  description: "Usernames or user ids, separated by spaces, commas or new lines",
  max_length: 6_000,
} as const;

/** The list as a file: one player per line, or the first column of a CSV. */
export const fileOption = {
  type: ApplicationCommandOptionType.Attachment,
  name: "file",
  description: "A .txt or .csv file of usernames or ids, one per line",
} as const;

export const definition = {
  name: "massban",
  description: "Ban a list of players from a linked experience, after a preview",
  default_member_permissions: String(PermissionFlagsBits.BanMembers),
  contexts: [InteractionContextType.Guild],
  options: [
    { type: ApplicationCommandOptionType.String, name: "duration", description: "30m, 12h, 7d, 2w, or perm", required: true, max_length: 20 },
    { type: ApplicationCommandOptionType.String, name: "reason", description: "Why (staff only; Roblox's private reason)", required: true, max_length: 1000 },
    usersOption,
    fileOption,
    { type: ApplicationCommandOptionType.String, name: "public_reason", description: "What the players are shown", max_length: 400 },
    experienceOption,
    { type: ApplicationCommandOptionType.Boolean, name: "exclude_alts", description: "Leave the players' alt accounts unbanned (default: banned too)" },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const massban: CommandModule = {
  definition,
  access: () => ({ permission: "ban" }),
  execute: (interaction, context) => answerMassRun(interaction, context, "ban"),
  autocomplete: (interaction, context) => suggestLinks(context, interaction.guildId, "universe", String(interaction.options.getFocused())),
};
