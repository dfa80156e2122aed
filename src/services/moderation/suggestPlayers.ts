import type { OpenCloud } from "../../opencloud/index.js";
import { TtlCache } from "../ttlCache.js";
import { canonicalId } from "../robloxIds.js";
import { couldBeUsername, findByName, type Player } from "./resolvePlayer.js";

/** One autocomplete suggestion: an account a username belongs to, or digits offered as the id they are. */
export type PlayerSuggestion = { kind: "name"; player: Player } | { kind: "id"; id: string };

/**
 * A minute: a person typing and retyping a name stays within it, and an
 * account's name rarely changes in less; a stale entry only costs a
 * suggestion, since the command looks the player up again.
 */
const SUGGESTION_TTL_MS = 60_000;
/**
 * A busy minute of typing across every guild is a few hundred distinct
 * texts; each entry is a few dozen bytes, so this bounds memory without
 * evicting what people are still typing.
 */
const SUGGESTION_CACHE_ENTRIES = 5_000;

/**
 * Autocomplete's guesses at who is meant, as the moderator types. Every
 * keystroke is an autocomplete request; the username lookups go through a
 * cache so retyped or shared text costs Roblox no second call.
 */
export class PlayerSuggester {
  readonly #byName: TtlCache<Player | undefined>;

  constructor(
    private readonly openCloud: OpenCloud,
    now: () => number = Date.now,
  ) {
    this.#byName = new TtlCache({ ttlMs: SUGGESTION_TTL_MS, maxEntries: SUGGESTION_CACHE_ENTRIES }, now);
  }

  /** The account the text names, and the text as an id when it can be one; empty when nothing matches. */
  async suggest(typed: string): Promise<PlayerSuggestion[]> {
    const text = typed.trim().replace(/^@/, "");
    const id = canonicalId(text);
    const named = couldBeUsername(text)
      ? await this.#byName.get(text.toLowerCase(), () => findByName(this.openCloud, text))
      : undefined;
    const suggestions: PlayerSuggestion[] = named === undefined ? [] : [{ kind: "name", player: named }];
    // Unchecked (checking needs an experience's key): picking it means "this id", and the command looks it up.
    if (id !== undefined && named?.id !== id) suggestions.push({ kind: "id", id });
    return suggestions;
  }
}
