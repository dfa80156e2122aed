import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  TimestampStyles,
  time,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import { suggestPlayerOrExperience } from "../src/discord/autocomplete.js";
import { moderationDeps } from "../src/discord/botContext.js";
import { buildCaseReply } from "../src/discord/caseReply.js";
import type { CommandModule } from "../src/discord/commandModule.js";
import { experienceOption, playerOption } from "../src/discord/commandOptions.js";
import type { ComponentHandler } from "../src/discord/componentHandler.js";
import { encodeCustomId } from "../src/discord/customIds.js";
import { applyChange, prepareBan } from "../src/services/moderation/restrictions.js";
import { UserError } from "../src/services/userError.js";

export const definition = {
  name: "ban",
  description: "Ban a player from a linked Roblox experience",
  default_member_permissions: String(PermissionFlagsBits.BanMembers),
  contexts: [InteractionContextType.Guild],
  options: [
    playerOption,
    {
      type: ApplicationCommandOptionType.String,
      name: "duration",
      description: "30m, 12h, 7d, 2w, or perm",
      required: true,
      max_length: 20,
    },
    { type: ApplicationCommandOptionType.String, name: "reason", description: "Why (staff only; Roblox's private reason)", required: true, max_length: 1000 },
    { type: ApplicationCommandOptionType.String, name: "public_reason", description: "What the player is shown", max_length: 400 },
    experienceOption,
    { type: ApplicationCommandOptionType.String, name: "place", description: "Place id to ban from only that place", max_length: 20 },
    { type: ApplicationCommandOptionType.Boolean, name: "exclude_alts", description: "Leave the player's alt accounts unbanned (default: banned too)" },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const ban: CommandModule = {
  definition,
  access: () => ({ permission: "ban" }),

  async execute(interaction, context) {
    const options = interaction.options;
    const change = await prepareBan(moderationDeps(context), {
      guildId: interaction.guildId,
      moderatorId: interaction.user.id,
      player: options.getString("user", true),
      duration: options.getString("duration", true),
      privateReason: options.getString("reason", true),
      publicReason: options.getString("public_reason") ?? undefined,
      experience: options.getString("experience") ?? undefined,
      placeId: options.getString("place") ?? undefined,
      excludeAltAccounts: options.getBoolean("exclude_alts") ?? false,
    });
    if (change.durationSeconds !== null) {
      await interaction.editReply(await buildCaseReply(context, await applyChange(moderationDeps(context), change)));
      return;
    }
    // Permanent is the one ban that does not end by itself: ask first.
    const { token, expiresAt } = context.banConfirmations.add(interaction.user.id, change);
    const where = change.placeId === undefined ? change.experienceName : `place ${change.placeId} of ${change.experienceName}`;
    await interaction.editReply({
      content:
        `Ban **${change.player.name}** (\`${change.player.id}\`) from ${where} **permanently**? ` +
        `This button expires ${time(expiresAt, TimestampStyles.RelativeTime)}.`,
      components: [
        new ActionRowBuilder<ButtonBuilder>().addComponents(
          new ButtonBuilder()
            .setCustomId(encodeCustomId({ kind: "confirmBan", token }))
            .setLabel("Ban permanently")
            .setStyle(ButtonStyle.Danger),
        ),
      ],
    });
  },

  autocomplete: suggestPlayerOrExperience,
};

/** The "Ban permanently" button: only its invoker, only before it expires, only once. */
export const confirmBanButton: ComponentHandler<"confirmBan"> = {
  kind: "confirmBan",
  permission: "ban",
  async handle(interaction, id, context) {
    if (!interaction.isButton()) throw new UserError("This confirmation is no longer valid. Run /ban again.");
    const pending = context.banConfirmations.get(id.token);
    // A token is good only in the guild that made it: clicked elsewhere, it acts as though it never existed.
    if (pending === undefined || pending.value.guildId !== interaction.guildId) {
      await interaction.update({ content: "This confirmation expired; nothing was done. Run /ban again.", components: [] });
      return;
    }
    if (pending.invokerId !== interaction.user.id) {
      await interaction.reply({ content: "Only the moderator who ran this /ban can confirm it.", flags: MessageFlags.Ephemeral });
      return;
    }
    // Deleted before the call: a second click cannot ban twice.
    context.banConfirmations.delete(id.token);
    await interaction.update({ content: `Banning **${pending.value.player.name}**…`, components: [] });
    try {
      await interaction.editReply(await buildCaseReply(context, await applyChange(moderationDeps(context), pending.value)));
    } catch (error) {
      // This message is the moderator's own: it should end saying why nothing happened, not "Banning…".
      if (!(error instanceof UserError)) throw error;
      await interaction.editReply({ content: error.message, components: [] });
    }
  },
};
