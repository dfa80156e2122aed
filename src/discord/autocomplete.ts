import type { ApplicationCommandOptionChoiceData, AutocompleteInteraction } from "discord.js";
import { listLinks, type LinkKind } from "../db/links.js";
import { suggestPlayers } from "../services/moderation/resolvePlayer.js";
import type { BotContext } from "./botContext.js";
import { clipText } from "../services/clipText.js";

/** Linked experiences or groups whose name or id contains what was typed. */
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
    .map((link) => ({ name: clipText(`${link.displayName} (${link.robloxId})`, 100), value: link.robloxId }));
}

/** The player a username or id resolves to, offered by id so the command gets exactly that player. */
export async function suggestPlayerChoices(context: BotContext, typed: string): Promise<ApplicationCommandOptionChoiceData[]> {
  return (await suggestPlayers(context.openCloud, typed)).map((player) => ({
    name: clipText(
      (player.displayName && player.displayName !== player.name ? `${player.name} (${player.displayName})` : player.name).concat(` · ${player.id}`),
      100,
    ),
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
