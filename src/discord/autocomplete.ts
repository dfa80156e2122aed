import type { ApplicationCommandOptionChoiceData, AutocompleteInteraction } from "discord.js";
import { listLinks, type LinkKind } from "../db/links.js";
import { suggestPlayers } from "../services/moderation/resolvePlayer.js";
import type { BotContext } from "./botContext.js";

/** Discord shows at most this many choices. */
const MAX_CHOICES = 25;

/**
 * Linked experiences or groups whose name or id contains what was typed, an
 * exact id first. Each is offered by its id, which commands resolve before
 * any name, so a picked suggestion always means that very link.
 */
export async function suggestLinks(
  context: BotContext,
  guildId: string,
  kind: LinkKind,
  typed: string,
): Promise<ApplicationCommandOptionChoiceData[]> {
  const text = typed.trim().toLowerCase();
  return (await listLinks(context.db, guildId))
    .filter((link) => link.kind === kind)
    .filter((link) => link.robloxId.includes(text) || link.displayName.toLowerCase().includes(text))
    .sort((a, b) => Number(b.robloxId === text) - Number(a.robloxId === text))
    .slice(0, MAX_CHOICES)
    .map((link) => ({ name: `${link.displayName} (${link.robloxId})`.slice(0, 100), value: link.robloxId }));
}

/** The player a username or id resolves to, offered by id so the command gets exactly that player. */
export async function suggestPlayerChoices(context: BotContext, typed: string): Promise<ApplicationCommandOptionChoiceData[]> {
  return (await suggestPlayers(context.openCloud, typed)).map((player) => ({
    name: (player.displayName && player.displayName !== player.name ? `${player.name} (${player.displayName})` : player.name)
      .concat(` · ${player.id}`)
      .slice(0, 100),
    value: player.id,
  }));
}

/** Autocomplete of commands that take a player and an experience: whichever is being typed. */
export function suggestPlayerOrExperience(
  interaction: AutocompleteInteraction<"cached">,
  context: BotContext,
): Promise<ApplicationCommandOptionChoiceData[]> {
  const focused = interaction.options.getFocused(true);
  return focused.name === "experience"
    ? suggestLinks(context, interaction.guildId, "universe", focused.value)
    : suggestPlayerChoices(context, focused.value);
}
