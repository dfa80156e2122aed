import type { KeyedOpenCloud, OpenCloud, RobloxUser } from "../opencloud/index.js";
import { TtlCache } from "./ttlCache.js";

/**
 * A minute: a join card, the ban it leads to and a lookup of the player
 * happen within it, and share one avatar and one profile; a name or avatar
 * changed in that minute shows late by at most as long.
 */
const PROFILE_TTL_MS = 60_000;
/** Players acted on in a busy minute across every guild; each entry is a few hundred bytes. */
const PROFILE_CACHE_ENTRIES = 2_000;

/** What a service that shows players needs: the Open Cloud client and the cache in front of it. */
export interface ProfileDeps {
  openCloud: OpenCloud;
  profiles: PlayerProfiles;
}

/**
 * Players' avatars and profiles as Warden shows them beside its answers,
 * each fetched once a minute however many answers show it. An avatar is
 * public, so it is shared by every guild; a profile is read with a guild's
 * key, whose scopes decide what it shows, so it stays that guild's.
 */
export class PlayerProfiles {
  readonly #avatars: TtlCache<string | undefined>;
  readonly #profiles: TtlCache<RobloxUser>;

  constructor(
    private readonly openCloud: OpenCloud,
    now: () => number = Date.now,
  ) {
    this.#avatars = new TtlCache({ ttlMs: PROFILE_TTL_MS, maxEntries: PROFILE_CACHE_ENTRIES }, now);
    this.#profiles = new TtlCache({ ttlMs: PROFILE_TTL_MS, maxEntries: PROFILE_CACHE_ENTRIES }, now);
  }

  /** The player's profile, read with `roblox` (the guild's key) unless the guild read it within the minute. */
  profile(roblox: KeyedOpenCloud, userId: string, guildId: string): Promise<RobloxUser> {
    return this.#profiles.get(`${guildId}:${userId}`, () => roblox.users.get(userId));
  }

  /**
   * A player's headshot URL, or undefined. An avatar is decoration: a reply
   * or a mod-log record goes out without one rather than fail. Looked up for
   * `guildId`, which takes its turn in the thumbnails host's shared budget.
   */
  async avatarUrl(userId: string, guildId: string): Promise<string | undefined> {
    return (await this.avatarUrls([userId], guildId)).get(userId);
  }

  /** Headshot URLs by user id, those not known yet in one call; missing for a player without one, or when Roblox fails. */
  async avatarUrls(userIds: readonly string[], guildId: string): Promise<Map<string, string>> {
    const unknown: string[] = [];
    let fetched: Promise<Map<string, { state: string; imageUrl: string | null }>> | undefined;
    // Deferred a turn, so every id missing from the cache has joined `unknown` before the one call goes out.
    const fetchUnknown = () =>
      (fetched ??= Promise.resolve().then(() => this.openCloud.thumbnails.headshots(unknown, { tenant: guildId })));
    const ids = [...new Set(userIds)];
    const answers = await Promise.allSettled(
      ids.map((id) =>
        this.#avatars.get(id, async () => {
          unknown.push(id);
          const headshot = (await fetchUnknown()).get(id);
          // Still rendering: not remembered, so the next answer asks again.
          if (headshot?.state === "Pending") throw new Error(`the headshot of ${id} is still rendering`);
          return headshot?.imageUrl ?? undefined;
        }),
      ),
    );
    const urls = new Map<string, string>();
    answers.forEach((answer, index) => {
      const id = ids[index];
      if (answer.status === "fulfilled" && answer.value !== undefined && id !== undefined) urls.set(id, answer.value);
    });
    return urls;
  }
}
