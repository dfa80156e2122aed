import { createCase, listPendingCases, listRestrictionCasesSince, type CaseRow } from "../../db/cases.js";
import { getLogsSyncedUntil, setLogsSyncedUntil } from "../../db/links.js";
import type { RestrictionLogEntry } from "../../opencloud/index.js";
import { openLinkedExperienceById, type LinkedExperience } from "./linkedExperience.js";
import { publish, type ModerationDeps } from "./restrictions.js";
import { recordsCase } from "./restrictionLog.js";

/** Most log entries one sync takes in; a flood beyond it is skipped, with a warning, rather than block the sync. */
const MAX_ENTRIES = 1_000;
/** Cases settled this long before the last read entry may still be what a new entry records. */
const MATCH_WINDOW_MS = 10 * 60_000;

/**
 * Turns bans and unbans made outside Warden (in Creator Hub, by another
 * Open Cloud tool, from a game server) into cases of the guild, posted to
 * its mod log like its own, so that the case history is the whole history.
 * The first sync of an experience only marks where its log stands: what
 * happened before the link is in /history, not news. Returns how many cases
 * were recorded.
 */
export async function syncOutsideBans(deps: ModerationDeps, guildId: string, universeId: string): Promise<number> {
  const linked = await openLinkedExperienceById(deps, guildId, universeId);
  const since = await getLogsSyncedUntil(deps.db, guildId, universeId);
  const fresh = await readNewEntries(deps, linked, since);
  if (since === null) {
    await setLogsSyncedUntil(deps.db, guildId, universeId, fresh[0]?.createTime ?? new Date(0));
    return 0;
  }
  const ours = await listRestrictionCasesSince(deps.db, guildId, universeId, new Date(since.getTime() - MATCH_WINDOW_MS));
  const inFlight = (await listPendingCases(deps.db)).filter((row) => row.universeId === universeId);
  let recorded = 0;
  // Oldest first, moving the mark after each: a crash part way neither loses nor repeats an entry.
  for (const entry of fresh.reverse()) {
    // Maybe Warden's own change, applied but not yet settled: the next sync decides, once it is.
    if (inFlight.some((row) => row.robloxUserId === entry.userId && (row.placeId ?? null) === entry.placeId)) break;
    const match = ours.find((row) => recordsCase(entry, row));
    if (match !== undefined) ours.splice(ours.indexOf(match), 1);
    else {
      await publish(deps, await recordOutsideChange(deps, guildId, linked, entry));
      recorded += 1;
    }
    if (entry.createTime !== null) await setLogsSyncedUntil(deps.db, guildId, universeId, entry.createTime);
  }
  return recorded;
}

/** Entries newer than `since`, newest first, as Roblox lists them (observed; the specification names no order). */
async function readNewEntries(deps: ModerationDeps, linked: LinkedExperience, since: Date | null): Promise<RestrictionLogEntry[]> {
  const fresh: RestrictionLogEntry[] = [];
  for await (const entry of linked.roblox.userRestrictions.listLogs({ universeId: linked.universeId, maxPageSize: 100 }).items()) {
    if (entry.createTime === null) continue;
    if (since !== null && entry.createTime <= since) break;
    fresh.push(entry);
    if (since === null) break;
    if (fresh.length === MAX_ENTRIES) {
      deps.logger.warn({ universeId: linked.universeId, skippedAfter: MAX_ENTRIES }, "restriction log flood: older outside bans not recorded");
      break;
    }
  }
  return fresh;
}

async function recordOutsideChange(
  deps: ModerationDeps,
  guildId: string,
  linked: LinkedExperience,
  entry: RestrictionLogEntry,
): Promise<CaseRow> {
  const banned = entry.active;
  // Only a snapshot for the case: a lookup that fails leaves it empty rather than the change unrecorded.
  const username = await linked.roblox.users
    .get(entry.userId)
    .then((user) => user.name)
    .catch(() => null);
  return createCase(deps.db, {
    guildId,
    action: banned ? "ban" : "unban",
    robloxUserId: entry.userId,
    robloxUsername: username,
    universeId: linked.universeId,
    placeId: entry.placeId,
    durationSeconds: banned ? entry.durationSeconds : null,
    privateReason: entry.privateReason || null,
    publicReason: banned ? entry.displayReason || null : null,
    excludeAltAccounts: entry.excludeAltAccounts,
    moderatorDiscordId: null,
    robloxModeratorId: entry.moderator.kind === "robloxUser" ? entry.moderator.userId : null,
    source: entry.moderator.kind === "gameServerScript" ? "in_game" : "creator_hub",
    // Roblox already applied it; the expiry is when its own log says it ends.
    status: "applied",
    expiresAt: banned ? entry.endTime : null,
  });
}
