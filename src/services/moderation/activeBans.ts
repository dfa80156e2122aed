import { listCasesForUsers } from "../../db/cases.js";
import type { Database } from "../../db/connection.js";
import { getLink } from "../../db/links.js";
import { UserError } from "../userError.js";
import { openLinkedExperience, type ExperienceDeps } from "./linkedExperience.js";
import { clipText } from "../clipText.js";

/** One line of the list: only what a page shows, so a kept list stays small whatever the reasons hold. */
export interface ListedBan {
  userId: string;
  /** From this guild's cases, when Warden has seen the player; Roblox's list carries ids only. */
  username: string | undefined;
  endTime: Date | null;
  /** The private reason on one line, cut to what a page shows (REASON_PREVIEW characters). */
  reasonPreview: string;
}

export interface ActiveBans {
  experienceName: string;
  universeId: string;
  placeId: string | undefined;
  bans: ListedBan[];
  /** Roblox lists more than was read. */
  truncated: boolean;
}

/**
 * Pages of Roblox's list one /bans reads, active or not: an experience with
 * thousands of expired restrictions is not read for ever. At Roblox's 100 to
 * a page this also bounds what is kept, to 2,000 bans.
 */
export const MAX_PAGES = 20;
export const REASON_PREVIEW = 80;

/**
 * The bans in force in an experience (or one place of it), newest first.
 * Roblox lists them in its own order, page by page, so the pages are read
 * (up to MAX_PAGES) and sorted here.
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
  let pagesRead = 0;
  let truncated = false;
  for await (const page of linked.roblox.userRestrictions.list({ universeId: linked.universeId, placeId: place, maxPageSize: 100 })) {
    pagesRead += 1;
    restrictions.push(...page.items.filter((restriction) => restriction.active));
    if (page.nextPageToken !== null && pagesRead === MAX_PAGES) {
      truncated = true;
      break;
    }
  }
  const names = new Map(
    (await listCasesForUsers(deps.db, guildId, restrictions.map((restriction) => restriction.userId))).map((row) => [
      row.robloxUserId,
      row.robloxUsername ?? undefined,
    ]),
  );
  const bans = restrictions
    .sort((a, b) => (b.startTime?.getTime() ?? 0) - (a.startTime?.getTime() ?? 0))
    .map((restriction) => ({
      userId: restriction.userId,
      username: names.get(restriction.userId),
      endTime: restriction.endTime,
      reasonPreview: preview(restriction.privateReason),
    }));
  return { experienceName: linked.displayName, universeId: linked.universeId, placeId: place, bans, truncated };
}

/** A list may be paged only while its experience is still linked to the guild it was read for. */
export async function isStillLinked(db: Database, guildId: string, list: ActiveBans): Promise<boolean> {
  return (await getLink(db, guildId, "universe", list.universeId)) !== undefined;
}

/** On one line, cut between characters, never inside one. */
function preview(reason: string): string {
  return Array.from(reason.replace(/\s+/g, " ").trim()).slice(0, REASON_PREVIEW).join("");
}
