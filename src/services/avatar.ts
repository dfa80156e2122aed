import type { OpenCloud } from "../opencloud/index.js";

/**
 * A player's headshot URL, or undefined. An avatar is decoration: a reply or
 * a mod-log record goes out without one rather than fail.
 */
export async function avatarUrl(openCloud: OpenCloud, userId: string): Promise<string | undefined> {
  try {
    return (await openCloud.thumbnails.headshots([userId])).get(userId)?.imageUrl ?? undefined;
  } catch {
    return undefined;
  }
}
