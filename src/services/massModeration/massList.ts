import { clipText } from "../clipText.js";
import { canonicalId } from "../robloxIds.js";
import { couldBeUsername } from "../moderation/resolvePlayer.js";
import { UserError } from "../userError.js";

/** The most entries one mass run takes: a raid's worth, and a run that ends within a few hours. */
export const MAX_MASS_ENTRIES = 10_000;

/** One entry of a list, as it will be looked up: never a guess between an id and a name. */
export type MassEntry =
  /** `id:<id>`: an exact id, as autocomplete and exported lists write it. */
  | { kind: "id"; id: string; typed: string }
  /** Letters, digits and _: a username (current or previous). */
  | { kind: "name"; name: string; typed: string }
  /** Bare digits: an id, a username, or both (then asked about, never acted on). */
  | { kind: "digits"; digits: string; typed: string };

export interface MassList {
  entries: MassEntry[];
  /** Entries that are neither an id nor a username, as typed (clipped). */
  invalid: string[];
  /** How many entries repeated an earlier one (same id, or same name in any case). */
  duplicates: number;
}

/** A list as given: typed in the `users` option, or the text of a file (a CSV counts by its first column). */
export interface MassListSource {
  text: string;
  csv: boolean;
}

/**
 * Reads a list as moderators paste or export it: entries separated by spaces,
 * commas, semicolons or new lines; in a CSV file only the first column counts
 * (a header row that is not a player is reported as invalid, harmlessly).
 */
export function parseMassList(sources: readonly MassListSource[]): MassList {
  const entries: MassEntry[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const typed of sources.flatMap(tokens)) {
    const entry = readEntry(typed);
    if (entry === undefined) {
      invalid.push(clipText(typed, 40));
      continue;
    }
    const key = entry.kind === "name" ? `name:${entry.name.toLowerCase()}` : `${entry.kind}:${entry.kind === "id" ? entry.id : entry.digits}`;
    if (seen.has(key)) {
      duplicates += 1;
      continue;
    }
    seen.add(key);
    entries.push(entry);
  }
  if (entries.length === 0) {
    throw new UserError(
      invalid.length === 0 ? "The list is empty: give usernames or user ids." : `No entry of the list is a Roblox username or user id (e.g. \`${invalid[0]}\`).`,
    );
  }
  if (entries.length > MAX_MASS_ENTRIES) {
    throw new UserError(`The list has ${entries.length} different players; one run takes at most ${MAX_MASS_ENTRIES}. Split it.`);
  }
  return { entries, invalid, duplicates };
}

function tokens(source: MassListSource): string[] {
  const lines = source.text.split(/\r?\n|\r/);
  const words = source.csv ? lines.map((line) => line.split(/[,;]/)[0] ?? "") : lines.flatMap((line) => line.split(/[\s,;]+/));
  return words.map((word) => word.trim().replace(/^"(.*)"$/, "$1").trim().replace(/^@/, "")).filter((word) => word !== "");
}

function readEntry(typed: string): MassEntry | undefined {
  const exact = /^id:(.+)$/.exec(typed);
  if (exact !== null) {
    const id = canonicalId(exact[1] ?? "");
    return id === undefined ? undefined : { kind: "id", id, typed };
  }
  if (/^[0-9]+$/.test(typed)) {
    if (canonicalId(typed) !== undefined) return { kind: "digits", digits: typed, typed };
    return couldBeUsername(typed) ? { kind: "name", name: typed, typed } : undefined;
  }
  return couldBeUsername(typed) ? { kind: "name", name: typed, typed } : undefined;
}
