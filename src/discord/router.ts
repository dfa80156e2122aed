import { MessageFlags, type AutocompleteInteraction, type ChatInputCommandInteraction, type Interaction } from "discord.js";
import type { Permission } from "../db/schema.js";
import type { BotContext } from "./botContext.js";
import type { CommandModule } from "./commandModule.js";
import type { ComponentHandler, ComponentHandlers, ComponentInteraction } from "./componentHandler.js";
import { decodeCustomId, type CustomId } from "./customIds.js";
import { explain, replyWithError } from "./errorReply.js";
import type { InteractionOutcome } from "../metrics.js";
import { UserError } from "../services/userError.js";
import { optionsOutOfBounds } from "./optionBounds.js";
import { mayAct, type Asker } from "./permissionGate.js";

/**
 * The one door for interactions: acknowledge in time, check the member's
 * permission, run the handler, and send every failure through one funnel.
 */
export function createRouter(commands: readonly CommandModule[], components: ComponentHandlers, context: BotContext) {
  const byName = new Map(commands.map((command) => [command.definition.name, command]));

  async function onChatInput(interaction: ChatInputCommandInteraction<"cached">): Promise<InteractionOutcome> {
    const command = byName.get(interaction.commandName);
    const access = command?.access(interaction.options.getSubcommand(false));
    if (command === undefined || access === undefined) {
      await interaction.reply({ content: "Warden doesn't know this command any more.", flags: MessageFlags.Ephemeral });
      return "rejected";
    }
    // Discord drops an interaction not acknowledged within 3 s: defer before any I/O.
    if (!access.opensModal) await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    if (!(await allowed(interaction, access.permission))) return "refused";
    const outOfBounds = optionsOutOfBounds(command.definition, interaction.options.data);
    if (outOfBounds !== undefined) throw new UserError(outOfBounds);
    await command.execute(interaction, context);
    return "ok";
  }

  async function onAutocomplete(interaction: AutocompleteInteraction<"cached">): Promise<InteractionOutcome> {
    const command = byName.get(interaction.commandName);
    const access = command?.access(interaction.options.getSubcommand(false));
    // Suggestions list linked experiences and past cases: only for those who may run the command.
    const choices =
      command?.autocomplete !== undefined && access !== undefined && (await mayAct(context.db, askerOf(interaction), access.permission))
        ? await command.autocomplete(interaction, context)
        : [];
    await interaction.respond(choices.slice(0, 25));
    return "ok";
  }

  async function onComponent(interaction: ComponentInteraction): Promise<InteractionOutcome> {
    const id = decodeCustomId(interaction.customId);
    const handler = id === undefined ? undefined : handlerFor(components, id);
    if (id === undefined || handler === undefined) {
      await interaction.reply({
        content: "This button or form is no longer valid. Run the command again.",
        flags: MessageFlags.Ephemeral,
      });
      return "rejected";
    }
    const permission =
      typeof handler.permission === "function" ? await handler.permission(id, context, interaction.guildId) : handler.permission;
    if (permission !== undefined && !(await allowed(interaction, permission))) return "refused";
    await handler.handle(interaction, id, context);
    return "ok";
  }

  /** Refuses, with what to ask for, when the member lacks `permission`. */
  async function allowed(
    interaction: ChatInputCommandInteraction<"cached"> | ComponentInteraction,
    permission: Permission,
  ): Promise<boolean> {
    if (await mayAct(context.db, askerOf(interaction), permission)) return true;
    const content =
      `You need Warden's \`${permission}\` permission for this. ` +
      `A server admin can grant it with \`/staff grant permission:${permission}\`.`;
    if (interaction.deferred) await interaction.editReply({ content });
    else await interaction.reply({ content, flags: MessageFlags.Ephemeral });
    return false;
  }

  return async function route(interaction: Interaction): Promise<void> {
    if (!interaction.inCachedGuild()) {
      if (interaction.isRepliable()) {
        await interaction.reply({ content: "Warden works inside servers only.", flags: MessageFlags.Ephemeral });
      }
      return;
    }
    const { metrics } = context;
    if (metrics === undefined) {
      await handle(interaction);
      return;
    }
    const { result: outcome, robloxCalls } = await metrics.countRobloxCalls(() => handle(interaction));
    metrics.interactionHandled({ ...describe(interaction), shard: interaction.guild?.shardId ?? 0, outcome, robloxCalls });
  };

  async function handle(interaction: Interaction<"cached">): Promise<InteractionOutcome> {
    try {
      if (interaction.isChatInputCommand()) return await onChatInput(interaction);
      if (interaction.isAutocomplete()) return await onAutocomplete(interaction);
      if (interaction.isMessageComponent() || interaction.isModalSubmit()) return await onComponent(interaction);
      return "ok";
    } catch (error) {
      if (interaction.isRepliable()) await replyWithError(interaction, error, context.logger);
      else context.logger.error({ err: error, interactionId: interaction.id }, "autocomplete failed");
      return error instanceof UserError ? "rejected" : explain(error) === undefined ? "error" : "failed";
    }
  }
}

/** What the metrics call an interaction: a few dozen names, never an id. */
function describe(interaction: Interaction): { kind: string; name: string } {
  if (interaction.isChatInputCommand()) {
    const { options } = interaction;
    return {
      kind: "command",
      name: [interaction.commandName, options.getSubcommandGroup(false), options.getSubcommand(false)].filter(Boolean).join(" "),
    };
  }
  if (interaction.isAutocomplete()) return { kind: "autocomplete", name: interaction.commandName };
  if (interaction.isMessageComponent() || interaction.isModalSubmit()) {
    return { kind: "component", name: decodeCustomId(interaction.customId)?.kind ?? "unknown" };
  }
  return { kind: "other", name: "other" };
}

/** Answers what arrives while the bot shuts down, starting nothing that could not finish. */
export async function refuseWhileStopping(interaction: Interaction): Promise<void> {
  try {
    if (interaction.isAutocomplete()) await interaction.respond([]);
    else if (interaction.isRepliable()) {
      await interaction.reply({ content: "Warden is restarting; try again in a minute.", flags: MessageFlags.Ephemeral });
    }
  } catch {
    // Shutting down: an answer that cannot be sent has nobody left to tell.
  }
}

function handlerFor<Kind extends CustomId["kind"]>(
  handlers: ComponentHandlers,
  id: Extract<CustomId, { kind: Kind }>,
): ComponentHandler<Kind> | undefined {
  return handlers[id.kind] as ComponentHandler<Kind> | undefined;
}

function askerOf(
  interaction: ChatInputCommandInteraction<"cached"> | AutocompleteInteraction<"cached"> | ComponentInteraction,
): Asker {
  return {
    guildId: interaction.guildId,
    userId: interaction.user.id,
    roleIds: [...interaction.member.roles.cache.keys()],
    permissions: interaction.memberPermissions.bitfield,
  };
}
