import type { OpenCloud } from "../opencloud/index.js";

/**
 * A player's headshot URL, or undefined. An avatar is decoration: a reply or
 * a mod-log record goes out without one rather than fail. Looked up for
 * `guildId`, which takes its turn in the thumbnails host's shared budget.
 */
export async function avatarUrl(openCloud: OpenCloud, userId: string, guildId: string): Promise<string | undefined> {
  try {
    return (await openCloud.thumbnails.headshots([userId], { tenant: guildId })).get(userId)?.imageUrl ?? undefined;
  } catch {
    return undefined;
  }
}
