import type { OpenCloud } from "../opencloud/index.js";

/**
 * A player's headshot URL, or undefined. An avatar is decoration: a reply or
 * a mod-log record goes out without one rather than fail. Looked up for
 * `guildId`, which takes its turn in the thumbnails host's shared budget.
 */
export async function avatarUrl(openCloud: OpenCloud, userId: string, guildId: string): Promise<string | undefined> {
  return (await avatarUrls(openCloud, [userId], guildId)).get(userId);
}

/** Headshot URLs by user id, in one call; missing for a player without one, all missing when Roblox fails. */
export async function avatarUrls(openCloud: OpenCloud, userIds: readonly string[], guildId: string): Promise<Map<string, string>> {
  try {
    const urls = new Map<string, string>();
    for (const [id, headshot] of await openCloud.thumbnails.headshots(userIds, { tenant: guildId })) {
      if (headshot.imageUrl) urls.set(id, headshot.imageUrl);
    }
    return urls;
  } catch {
    return new Map();
  }
}
