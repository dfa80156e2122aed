import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  EmbedBuilder,
  MessageFlags,
  TimestampStyles,
  time,
  type ChatInputCommandInteraction,
  type InteractionEditReplyOptions,
} from "discord.js";
import { AmbiguousPlayerError, exactPlayer, type PlayerCandidate } from "../services/moderation/resolvePlayer.js";
import type { BotContext } from "./botContext.js";
import { profileUrl } from "./caseEmbed.js";
import type { CommandModule } from "./commandModule.js";
import { requestOf, type CommandRequest } from "./commandRequest.js";
import type { ComponentHandler } from "./componentHandler.js";
import { encodeCustomId } from "./customIds.js";
import { explain } from "./errorReply.js";

/** A command waiting for its moderator to say which of two accounts they meant. */
export interface PlayerChoice {
  request: CommandRequest;
  /** The only ids a pick may name. */
  candidateIds: readonly string[];
}

type Answer = NonNullable<CommandModule["answer"]>;

/**
 * Runs a command that takes a player. When the typed digits are the id of
 * one account and the username of another, nothing is done: the moderator
 * is shown both, with a button each, and the request waits for the pick.
 */
export async function answerNamingPlayer(
  interaction: ChatInputCommandInteraction<"cached">,
  context: BotContext,
  answer: Answer,
): Promise<void> {
  const request = requestOf(interaction);
  try {
    await interaction.editReply(await answer(request, context));
  } catch (error) {
    if (!(error instanceof AmbiguousPlayerError)) throw error;
    await interaction.editReply(await askWhichPlayer(context, request, error));
  }
}

async function askWhichPlayer(context: BotContext, request: CommandRequest, error: AmbiguousPlayerError): Promise<InteractionEditReplyOptions> {
  const { candidates } = error;
  const { token, expiresAt } = await context.playerChoices.add(request.guildId, request.invokerId, {
    request,
    candidateIds: candidates.map((candidate) => candidate.id),
  });
  return {
    content:
      `\`${error.typed}\` is a user id and also another player's username. Which player did you mean? ` +
      `Nothing is done until you choose; the buttons expire ${time(expiresAt, TimestampStyles.RelativeTime)}.`,
    embeds: candidates.map((candidate, index) => describe(candidate, index === 0 ? "has this id" : "has this username")),
    components: [
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        candidates.map((candidate) =>
          new ButtonBuilder()
            .setCustomId(encodeCustomId({ kind: "pickPlayer", token, userId: candidate.id }))
            .setLabel(`${candidate.name} (${candidate.id})`.slice(0, 80))
            .setStyle(ButtonStyle.Primary),
        ),
      ),
    ],
  };
}

function describe(candidate: PlayerCandidate, why: string): EmbedBuilder {
  const embed = new EmbedBuilder()
    .setTitle(`${candidate.name} · ${why}`)
    .setURL(profileUrl(candidate.id))
    .setDescription(`Display name **${candidate.displayName || candidate.name}**\nRoblox user \`${candidate.id}\``);
  if (candidate.avatarUrl !== undefined) embed.setThumbnail(candidate.avatarUrl);
  return embed;
}

/**
 * The pick between two players. Only the moderator who asked may pick, only
 * one of the two shown, in the guild it was asked in, and with the
 * permission the command needs now; the command then runs again from its
 * stored options, resolving the link and its key afresh, with exactly the
 * chosen account.
 */
export function pickPlayerButton(commands: readonly CommandModule[]): ComponentHandler<"pickPlayer"> {
  const byName = new Map(commands.map((command) => [command.definition.name, command]));
  const commandOf = (request: CommandRequest) => byName.get(request.command);
  return {
    kind: "pickPlayer",
    async permission(id, context, guildId) {
      const request = (await context.playerChoices.get(id.token, guildId))?.value.request;
      return request === undefined ? undefined : commandOf(request)?.access(request.subcommand)?.permission;
    },
    async handle(interaction, id, context) {
      const expired = () =>
        interaction.reply({ content: "This choice expired; nothing was done. Run the command again.", flags: MessageFlags.Ephemeral });
      // A token is good only in the guild that made it: clicked elsewhere, it acts as though it never existed.
      const pending = await context.playerChoices.get(id.token, interaction.guildId);
      if (!interaction.isButton() || pending === undefined) {
        await expired();
        return;
      }
      const { request, candidateIds } = pending.value;
      if (pending.invokerId !== interaction.user.id) {
        await interaction.reply({ content: "Only the moderator who ran this command can choose.", flags: MessageFlags.Ephemeral });
        return;
      }
      if (!candidateIds.includes(id.userId)) {
        await interaction.reply({ content: "That player was not one of the choices; nothing was done.", flags: MessageFlags.Ephemeral });
        return;
      }
      const command = commandOf(request);
      // The router checked the permission this command names for the subcommand; without one, nothing was checked.
      if (command?.answer === undefined || command.access(request.subcommand) === undefined) {
        throw new Error(`/${request.command} cannot be carried on after a pick`);
      }
      // Taken before acting: a second click, here or in another process, cannot run the command twice.
      if ((await context.playerChoices.take(id.token, interaction.guildId, interaction.user.id)) === undefined) {
        await expired();
        return;
      }
      await interaction.update({ content: `Going on with user \`${id.userId}\`…`, embeds: [], components: [] });
      try {
        await interaction.editReply(await command.answer({ ...request, options: { ...request.options, user: exactPlayer(id.userId) } }, context));
      } catch (error) {
        // The message is the moderator's own: it should end saying why nothing happened.
        const text = explain(error);
        if (text === undefined) throw error;
        await interaction.editReply({ content: text, embeds: [], components: [] });
      }
    },
  };
}
