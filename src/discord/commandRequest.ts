import type { ChatInputCommandInteraction, CommandInteractionOption } from "discord.js";

type OptionValue = string | number | boolean;

/**
 * A slash command as plain data: which command, where, by whom, and its
 * options' values. What a button stores to carry the command on later;
 * holds nothing resolved (no player, no key), so it is checked again then.
 */
export interface CommandRequest {
  command: string;
  subcommand: string | null;
  guildId: string;
  invokerId: string;
  options: Readonly<Record<string, OptionValue>>;
}

export function requestOf(interaction: ChatInputCommandInteraction<"cached">): CommandRequest {
  return {
    command: interaction.commandName,
    subcommand: interaction.options.getSubcommand(false),
    guildId: interaction.guildId,
    invokerId: interaction.user.id,
    options: Object.fromEntries(leaves(interaction.options.data)),
  };
}

/** The options' values, under their subcommand (group) if any. */
function leaves(options: readonly CommandInteractionOption[]): [string, OptionValue][] {
  return options.flatMap((option) =>
    option.options !== undefined ? leaves(option.options) : option.value === undefined ? [] : [[option.name, option.value] as [string, OptionValue]],
  );
}

export function stringOption(request: CommandRequest, name: string): string | undefined {
  const value = request.options[name];
  return typeof value === "string" ? value : undefined;
}

/** A required option: Discord never sends the command without it. */
export function requiredString(request: CommandRequest, name: string): string {
  const value = stringOption(request, name);
  if (value === undefined) throw new Error(`/${request.command} arrived without its required option ${name}`);
  return value;
}

export function booleanOption(request: CommandRequest, name: string): boolean | undefined {
  const value = request.options[name];
  return typeof value === "boolean" ? value : undefined;
}
