import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  EmbedBuilder,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  TimestampStyles,
  time,
  type InteractionEditReplyOptions,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import { listLinks } from "../src/db/links.js";
import { suggestPlayerOrExperience } from "../src/discord/autocomplete.js";
import { moderationDeps, type BotContext } from "../src/discord/botContext.js";
import { buildCaseReply } from "../src/discord/caseReply.js";
import type { CommandModule } from "../src/discord/commandModule.js";
import { experienceOption, playerOption } from "../src/discord/commandOptions.js";
import { booleanOption, requiredString, stringOption, type CommandRequest } from "../src/discord/commandRequest.js";
import type { ComponentHandler } from "../src/discord/componentHandler.js";
import { encodeCustomId } from "../src/discord/customIds.js";
import { explain } from "../src/discord/errorReply.js";
import { downloadEvidence } from "../src/discord/evidenceFiles.js";
import { answerNamingPlayer } from "../src/discord/playerChoice.js";
import { playerRecordFields } from "../src/discord/playerRecordFields.js";
import { clipText } from "../src/services/clipText.js";
import { holdBanEvidence } from "../src/services/evidence/caseEvidence.js";
import { readPlayerRecord } from "../src/services/moderation/playerRecord.js";
import { exactPlayer } from "../src/services/moderation/resolvePlayer.js";
import { applyChange, prepareBan, type BanRequest } from "../src/services/moderation/restrictions.js";
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
    { type: ApplicationCommandOptionType.Attachment, name: "evidence", description: "A screenshot, clip or log that shows why (kept with the case)" },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const ban: CommandModule = {
  definition,
  access: () => ({ permission: "ban" }),
  async execute(interaction, context) {
    // Checked and kept as the command arrives, before anything is asked of Roblox: a file that is
    // too big, of the wrong kind or expired stops the ban while the moderator can still retry.
    const evidence = interaction.options.getAttachment("evidence");
    if (evidence !== null) {
      await holdBanEvidence(context.db, await downloadEvidence(evidence, context.discordCdnUrl), interaction.guildId, interaction.user.id);
    }
    await answerNamingPlayer(interaction, context, answerBan);
  },
  answer: answerBan,
  autocomplete: suggestPlayerOrExperience,
};

async function answerBan(command: CommandRequest, context: BotContext): Promise<InteractionEditReplyOptions> {
  const deps = moderationDeps(context);
  const request: BanRequest = {
    guildId: command.guildId,
    moderatorId: command.invokerId,
    player: requiredString(command, "user"),
    duration: requiredString(command, "duration"),
    privateReason: requiredString(command, "reason"),
    publicReason: stringOption(command, "public_reason"),
    experience: stringOption(command, "experience"),
    placeId: stringOption(command, "place"),
    excludeAltAccounts: booleanOption(command, "exclude_alts") ?? false,
    evidenceAttachmentId: stringOption(command, "evidence"),
  };
  const change = await prepareBan(deps, request);
  const record = await readPlayerRecord(deps, command.guildId, { id: change.player.id, universeId: change.universeId });
  if (change.durationSeconds !== null) return buildCaseReply(context, await applyChange(deps, change), record);

  // Permanent is the one ban that does not end by itself: ask first. What waits is the request,
  // pinned to exactly this player and experience; the key is opened again at the click.
  const pinned: BanRequest = { ...request, player: exactPlayer(change.player.id), experience: change.universeId, placeId: change.placeId };
  const { token, expiresAt } = await context.banConfirmations.add(command.guildId, command.invokerId, {
    request: pinned,
    playerName: change.player.name,
    experienceName: change.experienceName,
  });
  const where = change.placeId === undefined ? change.experienceName : `place ${change.placeId} of ${change.experienceName}`;
  return {
    content:
      `Ban **${change.player.name}** (\`${change.player.id}\`) from ${where} **permanently**? ` +
      `This button expires ${time(expiresAt, TimestampStyles.RelativeTime)}.`,
    embeds: [new EmbedBuilder().setTitle(clipText(`${change.player.name}'s record before you confirm`, 256)).addFields(playerRecordFields(record))],
    components: [
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder()
          .setCustomId(encodeCustomId({ kind: "confirmBan", token }))
          .setLabel("Ban permanently")
          .setStyle(ButtonStyle.Danger),
      ),
    ],
  };
}

/**
 * The "Ban permanently" button: only its invoker, in its guild, only before
 * it expires, only once. The guild's link and key are resolved again, so a
 * link removed or a key changed since /ban is honoured.
 */
export const confirmBanButton: ComponentHandler<"confirmBan"> = {
  kind: "confirmBan",
  permission: "ban",
  async handle(interaction, id, context) {
    if (!interaction.isButton()) throw new UserError("This confirmation is no longer valid. Run /ban again.");
    const expired = () => interaction.update({ content: "This confirmation expired; nothing was done. Run /ban again.", embeds: [], components: [] });
    // A token is good only in the guild that made it: clicked elsewhere, it acts as though it never existed.
    const pending = await context.banConfirmations.get(id.token, interaction.guildId);
    if (pending === undefined) {
      await expired();
      return;
    }
    if (pending.invokerId !== interaction.user.id) {
      await interaction.reply({ content: "Only the moderator who ran this /ban can confirm it.", flags: MessageFlags.Ephemeral });
      return;
    }
    // Taken before the call: of two clicks, here or in another process, only one bans.
    const confirmed = await context.banConfirmations.take(id.token, interaction.guildId, interaction.user.id);
    if (confirmed === undefined) {
      await expired();
      return;
    }
    const { request, playerName, experienceName } = confirmed;
    // The record shown before the click is read again for the answer: it goes with the question.
    await interaction.update({ content: `Banning **${playerName}**…`, embeds: [], components: [] });
    const links = await listLinks(context.db, request.guildId);
    if (!links.some((link) => link.kind === "universe" && link.robloxId === request.experience)) {
      await interaction.editReply({ content: `Nothing was done: ${experienceName} is no longer linked to this server.`, components: [] });
      return;
    }
    try {
      const deps = moderationDeps(context);
      const change = await prepareBan(deps, request);
      const record = await readPlayerRecord(deps, request.guildId, { id: change.player.id, universeId: change.universeId });
      await interaction.editReply(await buildCaseReply(context, await applyChange(deps, change), record));
    } catch (error) {
      // This message is the moderator's own: it should end saying why nothing happened, not "Banning…".
      const text = explain(error);
      if (text === undefined) throw error;
      await interaction.editReply({ content: `Nothing was done. ${text}`, components: [] });
    }
  },
};
