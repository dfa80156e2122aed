import { listCasesForUsers } from "../../db/cases.js";
import { UserError } from "../userError.js";
import { openLinkedExperience, type ExperienceDeps } from "./linkedExperience.js";
import { clipText } from "../clipText.js";

export interface ActiveBan {
  userId: string;
  /** From this guild's cases, when Warden has seen the player; Roblox's list carries ids only. */
  username: string | undefined;
  startTime: Date | null;
  endTime: Date | null;
  privateReason: string;
  displayReason: string;
}

export interface ActiveBans {
  experienceName: string;
  universeId: string;
  placeId: string | undefined;
  bans: ActiveBan[];
  /** More bans exist than were read. */
  truncated: boolean;
}

/** Enough for any list a moderator pages through; a bigger one says so. */
const MAX_BANS = 1_000;

/**
 * The bans in force in an experience (or one place of it), newest first.
 * Roblox lists them in its own order, page by page, so every page is read
 * (up to MAX_BANS) and sorted here.
 */
export async function listActiveBans(
  deps: ExperienceDeps,
  guildId: string,
  experience: string | undefined,
  placeId: string | undefined,
): Promise<ActiveBans> {
  const place = placeId?.trim() || undefined;
  if (place !== undefined && !/^[0-9]{1,20}$/.test(place)) throw new UserError(`\`${clipText(place, 30)}\` is not a place id.`);
  const linked = await openLinkedExperience(deps, guildId, experience);
  const restrictions = [];
  let truncated = false;
  for await (const restriction of linked.roblox.userRestrictions
    .list({ universeId: linked.universeId, placeId: place, maxPageSize: 100 })
    .items()) {
    if (!restriction.active) continue;
    if (restrictions.length === MAX_BANS) {
      truncated = true;
      break;
    }
    restrictions.push(restriction);
  }
  const names = new Map(
    (await listCasesForUsers(deps.db, guildId, restrictions.map((restriction) => restriction.userId))).map((row) => [
      row.robloxUserId,
      row.robloxUsername ?? undefined,
    ]),
  );
  const bans = restrictions
    .map((restriction) => ({
      userId: restriction.userId,
      username: names.get(restriction.userId),
      startTime: restriction.startTime,
      endTime: restriction.endTime,
      privateReason: restriction.privateReason,
      displayReason: restriction.displayReason,
    }))
    .sort((a, b) => (b.startTime?.getTime() ?? 0) - (a.startTime?.getTime() ?? 0));
  return { experienceName: linked.displayName, universeId: linked.universeId, placeId: place, bans, truncated };
}
