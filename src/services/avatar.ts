import type { OpenCloud } from "../opencloud/index.js";

/**
 * A player's headshot URL, or undefined. An avatar is decoration: a reply or
 * a mod-log record goes out without one rather than fail.
 */
export async function avatarUrl(openCloud: OpenCloud, userId: string): Promise<string | undefined> {
  return (await avatarUrls(openCloud, [userId])).get(userId);
}

/** Headshot URLs by user id, in one call; missing for a player without one, all missing when Roblox fails. */
export async function avatarUrls(openCloud: OpenCloud, userIds: readonly string[]): Promise<Map<string, string>> {
  try {
    const urls = new Map<string, string>();
    for (const [id, headshot] of await openCloud.thumbnails.headshots(userIds)) {
      if (headshot.imageUrl) urls.set(id, headshot.imageUrl);
    }
    return urls;
  } catch {
    return new Map();
  }
}
