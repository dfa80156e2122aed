import {
  ApplicationCommandOptionType,
  InteractionContextType,
  PermissionFlagsBits,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import { suggestPlayerOrExperience } from "../src/discord/autocomplete.js";
import { moderationDeps } from "../src/discord/botContext.js";
import { buildCaseReply } from "../src/discord/caseReply.js";
import type { CommandModule } from "../src/discord/commandModule.js";
import { experienceOption, playerOption } from "../src/discord/commandOptions.js";
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

  async execute(interaction, context) {
    const deps = moderationDeps(context);
    const change = await prepareUnban(deps, {
      guildId: interaction.guildId,
      moderatorId: interaction.user.id,
      player: interaction.options.getString("user", true),
      experience: interaction.options.getString("experience") ?? undefined,
      placeId: interaction.options.getString("place") ?? undefined,
      reason: interaction.options.getString("reason") ?? undefined,
    });
    await interaction.editReply(await buildCaseReply(context, await applyChange(deps, change)));
  },

  autocomplete: suggestPlayerOrExperience,
};
