import { NotFoundError, type KeyedOpenCloud, type OpenCloud } from "../../opencloud/index.js";
import type { ProfileDeps } from "../playerProfiles.js";
import { canonicalId } from "../robloxIds.js";
import { UserError } from "../userError.js";
import { clipText } from "../clipText.js";

export interface Player {
  id: string;
  name: string;
  displayName: string;
}

/** One of two accounts typed digits could mean, with what a moderator needs to tell them apart. */
export interface PlayerCandidate extends Player {
  avatarUrl: string | undefined;
}

/**
 * Typed digits that are the id of one account and the username of another.
 * Nothing is done on a guess: the caller asks which one was meant, and goes on
 * with the exact id of the chosen one. A UserError, so a caller that cannot
 * ask still answers clearly and acts on nothing.
 */
export class AmbiguousPlayerError extends UserError {
  override name = "AmbiguousPlayerError";

  constructor(
    readonly typed: string,
    /** The account with that id first, then the account with that username. */
    readonly candidates: readonly [PlayerCandidate, PlayerCandidate],
  ) {
    const [byId, byName] = candidates;
    super(
      `\`${typed}\` is the id of **${byId.name}** and the username of **${byName.name}** (id ${byName.id}). ` +
        "Nothing was done: pick the player from the suggestions, which are exact.",
    );
  }
}

/**
 * How an exact id is written in the `user` option (autocomplete's values):
 * usernames never contain ":", so it cannot be read as a name.
 */
export function exactPlayer(userId: string): string {
  return `id:${userId}`;
}

const EXACT = /^id:([0-9]{1,20})$/;

/** Whether the text has the shape of a Roblox username: 3-20 letters, digits or _. */
export function couldBeUsername(text: string): boolean {
  return /^[A-Za-z0-9_]{3,20}$/.test(text);
}

/**
 * A player as a moderator gave them: an exact `id:<id>` (a picked
 * suggestion), a username (current or previous, any case), or digits, which
 * may be either. Digits are looked up both ways at once; when they are the id
 * of one account and the username of another, AmbiguousPlayerError says so.
 */
export async function resolvePlayer(
  deps: ProfileDeps,
  roblox: KeyedOpenCloud,
  typed: string,
  guildId: string,
): Promise<Player> {
  const text = typed.trim().replace(/^@/, "");
  const exact = EXACT.exec(text);
  if (exact !== null) {
    const id = canonicalId(exact[1] ?? "");
    const found = id === undefined ? undefined : await findById(deps, roblox, id, guildId);
    if (found === undefined) throw new UserError(`No Roblox user has the id ${exact[1]}.`);
    return found;
  }

  const id = canonicalId(text);
  const name = couldBeUsername(text) ? text : undefined;
  if (id === undefined && name === undefined) {
    throw new UserError(`\`${clipText(typed, 40)}\` is not a Roblox username (3-20 letters, digits or _) or user id.`);
  }
  const [byId, byName] = await Promise.all([
    id === undefined ? undefined : findById(deps, roblox, id, guildId),
    name === undefined ? undefined : findByName(deps.openCloud, name, guildId),
  ]);
  if (byId !== undefined && byName !== undefined && byId.id !== byName.id) {
    const avatars = await deps.profiles.avatarUrls([byId.id, byName.id], guildId);
    throw new AmbiguousPlayerError(text, [
      { ...byId, avatarUrl: avatars.get(byId.id) },
      { ...byName, avatarUrl: avatars.get(byName.id) },
    ]);
  }
  const found = byId ?? byName;
  if (found !== undefined) return found;
  if (name === undefined) throw new UserError(`No Roblox user has the id ${text}.`);
  if (id === undefined) throw new UserError(`No Roblox user is named \`${text}\`. Check the spelling, or use their user id.`);
  throw new UserError(`No Roblox user has the id ${text}, and none is named \`${text}\`.`);
}

/** The account with this id, if any; through the profile cache: the lookup or card that shows the player next reads the same profile. */
export async function findById(
  deps: Pick<ProfileDeps, "profiles">,
  roblox: KeyedOpenCloud,
  id: string,
  guildId: string,
): Promise<Player | undefined> {
  try {
    const user = await deps.profiles.profile(roblox, id, guildId);
    return { id: user.id, name: user.name, displayName: user.displayName };
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** The account a username (or a previous one) belongs to, if any; `tenant` takes its turn in the users host's budget. */
export async function findByName(openCloud: Pick<OpenCloud, "usernames">, name: string, tenant?: string): Promise<Player | undefined> {
  const found = (await openCloud.usernames.resolve([name], { tenant })).get(name.toLowerCase());
  return found === undefined ? undefined : { id: found.id, name: found.name, displayName: found.displayName || found.name };
}
