import { NotFoundError, type KeyedOpenCloud, type OpenCloud } from "../../opencloud/index.js";
import { UserError } from "../userError.js";
import { clipText } from "../clipText.js";

export interface Player {
  id: string;
  name: string;
  displayName: string;
}

/**
 * A player as a moderator typed them: a numeric user id, or a username
 * (current or previous, any case). Shown back to the moderator, so they see
 * who it resolved to before anything is done.
 */
export async function resolvePlayer(openCloud: OpenCloud, roblox: KeyedOpenCloud, typed: string): Promise<Player> {
  const text = typed.trim().replace(/^@/, "");
  if (/^[0-9]{1,20}$/.test(text)) {
    try {
      const user = await roblox.users.get(text);
      return { id: user.id, name: user.name, displayName: user.displayName };
    } catch (error) {
      if (error instanceof NotFoundError) throw new UserError(`No Roblox user has the id ${text}.`);
      throw error;
    }
  }
  if (!/^[A-Za-z0-9_]{3,20}$/.test(text)) {
    throw new UserError(`\`${clipText(typed, 40)}\` is not a Roblox username (3-20 letters, digits or _) or user id.`);
  }
  const found = (await openCloud.usernames.resolve([text])).get(text.toLowerCase());
  if (found === undefined) throw new UserError(`No Roblox user is named \`${text}\`. Check the spelling, or use their user id.`);
  return { id: found.id, name: found.name, displayName: found.displayName || found.name };
}

/** Autocomplete's guess at who is meant by what has been typed so far; empty when nothing matches yet. */
export async function suggestPlayers(openCloud: OpenCloud, typed: string): Promise<Player[]> {
  const text = typed.trim().replace(/^@/, "");
  if (/^[0-9]{1,20}$/.test(text)) return [{ id: text, name: `User id ${text}`, displayName: "" }];
  if (!/^[A-Za-z0-9_]{3,20}$/.test(text)) return [];
  const found = (await openCloud.usernames.resolve([text])).get(text.toLowerCase());
  return found === undefined ? [] : [{ id: found.id, name: found.name, displayName: found.displayName }];
}
