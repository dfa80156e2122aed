import { Routes, type REST } from "discord.js";
import type { CommandModule } from "./commandModule.js";

/**
 * Replaces the application's commands with the registry in one bulk PUT:
 * to one guild when `guildId` is given (instant, for development), else
 * globally. Unchanged commands are left as they are by Discord.
 */
export async function deployCommands(
  rest: REST,
  applicationId: string,
  commands: readonly CommandModule[],
  guildId: string | undefined,
): Promise<void> {
  const body = commands.map((command) => command.definition);
  const route =
    guildId === undefined ? Routes.applicationCommands(applicationId) : Routes.applicationGuildCommands(applicationId, guildId);
  await rest.put(route, { body });
}
