import type { Caller } from "./call.js";
import { type RobloxId, toId } from "./ids.js";
import { type Headshot, headshotsSchema } from "./schemas.js";

/** Roblox answers "There are too many requested Ids" above this many. */
export const HEADSHOTS_PER_REQUEST = 100;

export type HeadshotSize =
  | "48x48"
  | "50x50"
  | "60x60"
  | "75x75"
  | "100x100"
  | "110x110"
  | "150x150"
  | "180x180"
  | "352x352"
  | "420x420"
  | "720x720";

export interface HeadshotOptions {
  size?: HeadshotSize;
  format?: "Png" | "Jpeg" | "Webp";
  isCircular?: boolean;
  /** Whom the lookup is for: every caller shares this host's budget. */
  tenant?: string;
}

/** Avatar headshots through the public thumbnails host; no API key involved. */
export class Thumbnails {
  constructor(private readonly caller: Caller) {}

  /**
   * Keyed by user id. Only `state: "Completed"` carries a usable `imageUrl`;
   * `Pending` is still rendering (ask again later), `Blocked` is moderated.
   */
  async headshots(userIds: readonly RobloxId[], options: HeadshotOptions = {}): Promise<Map<string, Headshot>> {
    const ids = [...new Set(userIds.map((id) => toId(id, "userId")))];
    const found = new Map<string, Headshot>();
    for (let start = 0; start < ids.length; start += HEADSHOTS_PER_REQUEST) {
      const page = await this.caller.call({
        operation: "thumbnails.headshots",
        host: "thumbnails",
        method: "GET",
        path: "/v1/users/avatar-headshot",
        query: {
          userIds: ids.slice(start, start + HEADSHOTS_PER_REQUEST).join(","),
          size: options.size ?? "150x150",
          format: options.format ?? "Png",
          isCircular: options.isCircular ?? false,
        },
        schema: headshotsSchema,
        tenant: options.tenant,
      });
      for (const headshot of page.data) found.set(headshot.targetId, headshot);
    }
    return found;
  }
}
