import type { CaseRow } from "../../db/cases.js";
import type { RestrictionLogEntry } from "../../opencloud/index.js";

/** How far apart Roblox's log time and the case's settle time may be and still be one event. */
const SAME_EVENT_MS = 5 * 60_000;

/**
 * Whether a restriction log entry records this case's change. Roblox's log
 * does not say which tool made a change (Creator Hub, Warden and any other
 * Open Cloud tool all show a Roblox user), so a change is Warden's when a
 * case of the same kind, player and place settled around the same time.
 */
export function recordsCase(log: RestrictionLogEntry, row: CaseRow): boolean {
  return (
    row.status === "applied" &&
    row.action === (log.active ? "ban" : "unban") &&
    row.robloxUserId === log.userId &&
    (row.placeId ?? null) === log.placeId &&
    log.createTime !== null &&
    Math.abs(row.updatedAt.getTime() - log.createTime.getTime()) <= SAME_EVENT_MS
  );
}
