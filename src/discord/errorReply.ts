import { randomBytes } from "node:crypto";
import { DiscordAPIError, MessageFlags, RESTJSONErrorCodes, type RepliableInteraction } from "discord.js";
import { ApiKeyDecryptionError } from "../db/apiKeyCipher.js";
import type { Logger } from "../log.js";
import { OpenCloudError, userMessage } from "../opencloud/index.js";
import { UserError } from "../services/userError.js";

/**
 * Every error a handler throws ends here. Three kinds: the person's own
 * mistake and Roblox's known failures are explained; Discord's known refusals
 * become advice; anything else is logged with a reference the person can
 * quote, and never shown (it may hold internals).
 */
export async function replyWithError(interaction: RepliableInteraction, error: unknown, logger: Logger): Promise<void> {
  const content = explain(error) ?? unexpected(interaction, error, logger);
  try {
    if (!interaction.deferred && !interaction.replied) {
      await interaction.reply({ content, flags: MessageFlags.Ephemeral });
    } else if (interaction.isMessageComponent()) {
      // The acknowledged message is the clicked one (a review card others see): tell the clicker alone.
      await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
    } else {
      await interaction.editReply({ content, embeds: [], components: [] });
    }
  } catch (replyError) {
    // The interaction may have expired; the log is all that is left.
    logger.warn({ err: replyError, interactionId: interaction.id }, "could not deliver an error reply");
  }
}

/** The sentence for an error a person can act on, or undefined for a bug. */
export function explain(error: unknown): string | undefined {
  if (error instanceof UserError) return error.message;
  if (error instanceof OpenCloudError) return userMessage(error);
  if (error instanceof ApiKeyDecryptionError) {
    return "Warden can't read the stored API key for this (the bot's ENCRYPTION_KEY changed). Ask an admin to run /setup again with the key.";
  }
  if (error instanceof DiscordAPIError) {
    if (error.code === RESTJSONErrorCodes.MissingPermissions || error.code === RESTJSONErrorCodes.MissingAccess) {
      return "Discord refused: Warden lacks a permission it needs in that channel (View Channel, Send Messages, Embed Links). Ask an admin to fix the channel's permissions.";
    }
    if (error.code === RESTJSONErrorCodes.UnknownChannel) {
      return "That channel no longer exists. Ask an admin to pick another with /setup channels.";
    }
  }
  return undefined;
}

function unexpected(interaction: RepliableInteraction, error: unknown, logger: Logger): string {
  const reference = randomBytes(4).toString("hex");
  logger.error(
    {
      err: error,
      reference,
      interactionId: interaction.id,
      guildId: interaction.guildId,
      userId: interaction.user.id,
      command: interaction.isCommand() ? interaction.commandName : undefined,
      customId: interaction.isMessageComponent() || interaction.isModalSubmit() ? interaction.customId : undefined,
    },
    "unexpected error while handling an interaction",
  );
  return `Something went wrong on Warden's side. Reference: \`${reference}\` (give it to whoever runs the bot).`;
}
