import type { KeyedOpenCloud, OpenCloud } from "../../opencloud/index.js";
import { forEachConcurrently } from "../concurrently.js";
import { findById, type Player } from "../moderation/resolvePlayer.js";
import type { ProfileDeps } from "../playerProfiles.js";
import type { MassEntry, MassList } from "./massList.js";

/** Enough lookups in flight to keep the users budget's queue full; the client paces them. */
const LOOKUPS_IN_FLIGHT = 16;

export interface MassResolution {
  /** Distinct accounts, in the order of the list. */
  players: Player[];
  /** Entries no account matches, as typed. */
  unknown: string[];
  /** Digits that are the id of one account and the username of another: left out, never guessed. */
  ambiguous: { typed: string; byId: Player; byName: Player }[];
  /** Entries that named an account already in the list (by id and by name, or twice over). */
  duplicates: number;
}

/**
 * The accounts a list names, looked up the way /ban looks one up: names in
 * batches through the users host, ids one by one with the key; digits both
 * ways, and when the two ways find different accounts, the entry is reported
 * as ambiguous and nobody is acted on for it.
 */
export async function resolveMassList(
  deps: { openCloud: OpenCloud } & Pick<ProfileDeps, "profiles">,
  roblox: KeyedOpenCloud,
  list: MassList,
  guildId: string,
): Promise<MassResolution> {
  const names = list.entries.flatMap((entry) => (entry.kind === "name" ? [entry.name] : entry.kind === "digits" ? [entry.digits] : []));
  const ids = list.entries.flatMap((entry) => (entry.kind === "id" ? [entry.id] : entry.kind === "digits" ? [entry.digits] : []));
  const [byName, byId] = await Promise.all([deps.openCloud.usernames.resolve(names, { tenant: guildId }), lookUpIds(deps, roblox, ids, guildId)]);

  const players = new Map<string, Player>();
  const unknown: string[] = [];
  const ambiguous: MassResolution["ambiguous"] = [];
  let duplicates = list.duplicates;
  for (const entry of list.entries) {
    const found = match(entry, byName, byId);
    if (found === undefined) unknown.push(entry.typed);
    else if ("byName" in found) ambiguous.push(found);
    else if (players.has(found.id)) duplicates += 1;
    else players.set(found.id, found);
  }
  return { players: [...players.values()], unknown, ambiguous, duplicates };
}

function match(
  entry: MassEntry,
  byName: Map<string, { id: string; name: string; displayName: string }>,
  byId: Map<string, Player>,
): Player | { typed: string; byId: Player; byName: Player } | undefined {
  if (entry.kind === "id") return byId.get(entry.id);
  const named = byName.get((entry.kind === "name" ? entry.name : entry.digits).toLowerCase());
  const namedPlayer = named === undefined ? undefined : { id: named.id, name: named.name, displayName: named.displayName || named.name };
  if (entry.kind === "name") return namedPlayer;
  const withId = byId.get(entry.digits);
  if (withId !== undefined && namedPlayer !== undefined && withId.id !== namedPlayer.id) {
    return { typed: entry.typed, byId: withId, byName: namedPlayer };
  }
  return withId ?? namedPlayer;
}

async function lookUpIds(
  deps: Pick<ProfileDeps, "profiles">,
  roblox: KeyedOpenCloud,
  ids: readonly string[],
  guildId: string,
): Promise<Map<string, Player>> {
  const found = new Map<string, Player>();
  await forEachConcurrently(new Set(ids), LOOKUPS_IN_FLIGHT, async (id) => {
    const player = await findById(deps, roblox, id, guildId);
    if (player !== undefined) found.set(id, player);
  });
  return found;
}
