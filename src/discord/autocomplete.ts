import type { ApplicationCommandOptionChoiceData, AutocompleteInteraction } from "discord.js";
import { listLinks, type LinkKind } from "../db/links.js";
import { exactPlayer } from "../services/moderation/resolvePlayer.js";
import type { PlayerSuggestion } from "../services/moderation/suggestPlayers.js";
import type { BotContext } from "./botContext.js";
import { clipText } from "../services/clipText.js";
import { matchRoles } from "../services/ranks/groupRoles.js";
import { rolesOfLinkedGroup } from "../services/ranks/rankSettings.js";
import { UserError } from "../services/userError.js";

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
    .map((link) => ({ name: clipText(`${link.displayName} (${link.robloxId})`, 100), value: link.robloxId }));
}

/**
 * The players what was typed may mean, each offered as its exact id
 * (`id:<id>`), so a picked suggestion is acted on without asking again.
 */
export async function suggestPlayerChoices(context: BotContext, typed: string): Promise<ApplicationCommandOptionChoiceData[]> {
  return (await context.playerSuggester.suggest(typed)).map((suggestion) => ({
    name: clipText(label(suggestion), 100),
    value: exactPlayer(suggestion.kind === "name" ? suggestion.player.id : suggestion.id),
  }));
}

function label(suggestion: PlayerSuggestion): string {
  if (suggestion.kind === "id") return `User id ${suggestion.id}`;
  const { player } = suggestion;
  return `${player.displayName && player.displayName !== player.name ? `${player.name} (${player.displayName})` : player.name} · ${player.id}`;
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

/**
 * The roles of the group named in the `group` option (or the only one
 * linked), by name and rank, each offered by its id. Nothing while no group
 * can be told: the command itself says why.
 */
export async function suggestGroupRoles(
  context: BotContext,
  guildId: string,
  typedGroup: string | undefined,
  typed: string,
): Promise<ApplicationCommandOptionChoiceData[]> {
  let roles;
  try {
    roles = await rolesOfLinkedGroup(context, guildId, typedGroup);
  } catch (error) {
    if (error instanceof UserError) return [];
    throw error;
  }
  return matchRoles(roles, typed)
    .slice(0, MAX_CHOICES)
    .map((role) => ({ name: clipText(`${role.displayName} · rank ${role.rank}`, 100), value: role.id }));
}
