import { createCase, listGroupCasesSince, listPendingCases, type CaseRow } from "../../db/cases.js";
import { getAuditLogState, setAuditLogState } from "../../db/links.js";
import { PermissionDeniedError, type AuditLogEntry } from "../../opencloud/index.js";
import { openLinkedById, type LinkedTarget } from "../moderation/linkedExperience.js";
import { publish, type ModerationDeps } from "../moderation/restrictions.js";
import type { SetupNotices } from "../ports.js";

/** Most entries one sync takes in; a flood beyond it is skipped, with a warning, rather than block the sync. */
const MAX_ENTRIES = 1_000;
/** Cases settled this long before the mark may still be what a new entry records. */
const MATCH_WINDOW_MS = 10 * 60_000;
/** How far apart the log's time and the case's settle time may be and still be one event. */
const SAME_EVENT_MS = 5 * 60_000;

/**
 * The audit log entries Warden records, as the case each becomes; the names
 * are the specification's `actionType` enum. A rank change on the website is
 * ChangeRank; through Open Cloud, a move is an AssignRole of the new role then
 * an UnassignRole of the old, so the assignment stands for the move and the
 * unassignment adds nothing. RemoveMember is a kick (on the website or by
 * another tool), BanMember and UnbanMember the group's own ban list.
 */
const RECORDED = {
  ChangeRank: "rank",
  AssignRole: "rank",
  AcceptJoinRequest: "join_accept",
  DeclineJoinRequest: "join_decline",
  RemoveMember: "group_remove",
  BanMember: "group_ban",
  UnbanMember: "group_unban",
} as const;
type RecordedKind = (typeof RECORDED)[keyof typeof RECORDED];

/** The case an entry becomes; undefined for entries Warden does not record, or that lack what the case needs. */
export function caseKindOf(entry: AuditLogEntry): RecordedKind | undefined {
  if (!Object.hasOwn(RECORDED, entry.actionType) || entry.targetUserId === null) return undefined;
  const kind = RECORDED[entry.actionType as keyof typeof RECORDED];
  return kind === "rank" && entry.newRole === null ? undefined : kind;
}

export interface AuditSyncDeps extends ModerationDeps {
  notices: SetupNotices;
}

/**
 * Turns rank changes, join-request decisions, removals, bans and unbans made
 * in the group outside Warden (on the website, by another tool) into cases, posted like its own,
 * with their Roblox actor. The first read only marks where the log stands;
 * Warden's own changes, which the log shows too, are matched to their cases
 * and not recorded twice. A key Roblox refuses the log to is reported to the
 * mod log once, not at every sync. Returns how many cases were recorded.
 */
export async function syncGroupAuditLog(deps: AuditSyncDeps, guildId: string, groupId: string): Promise<number> {
  const group = await openLinkedById(deps, guildId, "group", groupId);
  const state = await getAuditLogState(deps.db, guildId, groupId);
  if (state === undefined) return 0;
  let fresh: AuditLogEntry[];
  try {
    fresh = await readNewEntries(deps, group, state.syncedUntil);
  } catch (error) {
    if (!(error instanceof PermissionDeniedError)) throw error;
    if (!state.refused) {
      await deps.notices.postSetupNotice(
        guildId,
        `Roblox refuses the audit log of group **${group.displayName}** (\`${groupId}\`) to its API key, so rank changes, join decisions, removals and bans ` +
          "made outside Warden are not recorded as cases. Add `legacy-group:manage` to the key in Creator Hub (its owner needs " +
          "the View audit log permission in the group). Warden will say so again only if it works and then stops.",
      );
      await setAuditLogState(deps.db, guildId, groupId, { refused: true });
    }
    return 0;
  }
  if (state.refused) await setAuditLogState(deps.db, guildId, groupId, { refused: false });
  if (state.syncedUntil === null) {
    await setAuditLogState(deps.db, guildId, groupId, { syncedUntil: fresh[0]?.created ?? new Date(0) });
    return 0;
  }
  const ours = await listGroupCasesSince(deps.db, guildId, groupId, new Date(state.syncedUntil.getTime() - MATCH_WINDOW_MS));
  const inFlight = (await listPendingCases(deps.db)).filter((row) => row.guildId === guildId && row.groupId === groupId);
  let recorded = 0;
  // Oldest first, moving the mark after each: a crash part way neither loses nor repeats an entry.
  for (const entry of fresh.reverse()) {
    // Maybe Warden's own change, applied but not yet settled: the next sync decides, once it is.
    if (inFlight.some((row) => row.robloxUserId === entry.targetUserId)) break;
    const kind = caseKindOf(entry);
    if (kind !== undefined) {
      const match = ours.find((row) => recordsCase(entry, row));
      if (match !== undefined) ours.splice(ours.indexOf(match), 1);
      else {
        await publish(deps, await recordOutsideChange(deps, guildId, group, entry, kind));
        recorded += 1;
      }
    }
    if (entry.created !== null) await setAuditLogState(deps.db, guildId, groupId, { syncedUntil: entry.created });
  }
  return recorded;
}

/** Entries newer than `since`, newest first; only the newest when there is no mark yet. */
async function readNewEntries(deps: ModerationDeps, group: LinkedTarget, since: Date | null): Promise<AuditLogEntry[]> {
  const fresh: AuditLogEntry[] = [];
  for await (const entry of group.roblox.groups.auditLog(group.robloxId).items()) {
    if (entry.created === null) continue;
    if (since !== null && entry.created <= since) break;
    fresh.push(entry);
    if (since === null) break;
    if (fresh.length === MAX_ENTRIES) {
      deps.logger.warn({ groupId: group.robloxId, skippedAfter: MAX_ENTRIES }, "group audit log flood: older entries not recorded");
      break;
    }
  }
  return fresh;
}

/** Whether the entry records this case of Warden's: the same kind of change, member and role, around the same time. */
function recordsCase(entry: AuditLogEntry, row: CaseRow): boolean {
  const kind = caseKindOf(entry);
  if (kind === undefined || entry.created === null || row.robloxUserId !== entry.targetUserId) return false;
  if (Math.abs(row.updatedAt.getTime() - entry.created.getTime()) > SAME_EVENT_MS) return false;
  if (kind === "rank") return row.toRoleId !== null && row.toRoleId === entry.newRole?.id;
  return row.action === kind;
}

async function recordOutsideChange(
  deps: ModerationDeps,
  guildId: string,
  group: LinkedTarget,
  entry: AuditLogEntry,
  kind: RecordedKind,
): Promise<CaseRow> {
  const userId = entry.targetUserId ?? "";
  // Only a snapshot for the case: a lookup that fails leaves it empty rather than the change unrecorded.
  const username = await group.roblox.users
    .get(userId)
    .then((user) => user.name)
    .catch(() => null);
  return createCase(deps.db, {
    guildId,
    action: kind,
    robloxUserId: userId,
    robloxUsername: username,
    groupId: group.robloxId,
    ...(kind === "rank"
      ? {
          fromRoleId: entry.oldRole?.id ?? null,
          fromRoleName: entry.oldRole?.name ?? null,
          toRoleId: entry.newRole?.id ?? null,
          toRoleName: entry.newRole?.name ?? null,
        }
      : {}),
    moderatorDiscordId: null,
    robloxModeratorId: entry.actorUserId,
    source: "group_audit_log",
    // Roblox already applied it.
    status: "applied",
  });
}
