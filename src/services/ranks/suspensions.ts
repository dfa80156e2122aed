import { settleCase, type CaseRow } from "../../db/cases.js";
import { deleteSuspension, endSuspension, findActiveSuspension, getSuspension, insertSuspension, type SuspensionRow } from "../../db/suspensions.js";
import { OpenCloudError, userMessage } from "../../opencloud/index.js";
import { parseBanDuration } from "../moderation/banDuration.js";
import { openLinked, openLinkedById, type LinkedTarget } from "../moderation/linkedExperience.js";
import { resolvePlayer } from "../moderation/resolvePlayer.js";
import { checkLength, publish, type CaseResult, type ModerationDeps } from "../moderation/restrictions.js";
import type { SuspensionTimers } from "../ports.js";
import { UserError } from "../userError.js";
import { describeRole } from "./groupRoles.js";
import { openRankedGroup, rankableMember } from "./rankMember.js";
import { REASON_MAX, carryOutRoleChange, findMembership, recordRoleChange, type PreparedRoleChange } from "./roleChanges.js";


export interface SuspensionDeps extends ModerationDeps {
  suspensionTimers: SuspensionTimers;
}

export interface SuspendRequest {
  guildId: string;
  moderatorId: string;
  player: string;
  duration: string;
  reason: string;
  group: string | undefined;
}

/** Checks a suspension before anything is recorded: group, suspended role, duration, member. Only reads Roblox. */
export async function prepareSuspend(deps: ModerationDeps, request: SuspendRequest): Promise<PreparedRoleChange> {
  const durationSeconds = parseBanDuration(request.duration);
  if (durationSeconds === null) {
    throw new UserError("A suspension ends by itself, so it needs a length (30m, 12h, 7d, 2w). To demote for good, use `/rank`.");
  }
  const reason = checkLength(request.reason.trim(), REASON_MAX, "reason");
  if (reason === "") throw new UserError("Give a `reason`: staff will want to know why later.");
  const ranked = await openRankedGroup(deps, request.guildId, request.group);
  const suspended = ranked.suspendedRole;
  if (suspended === undefined) {
    throw new UserError(`**${ranked.group.displayName}** has no suspended role (it was never chosen, or was deleted in Roblox). An admin can choose one with \`/setup ranks\`.`);
  }
  const { player, current } = await rankableMember(deps, ranked, request.player, request.guildId);
  if (current.id === suspended.id) throw new UserError(`**${player.name}** is already ${describeRole(suspended)}.`);
  return {
    action: "suspend",
    guildId: request.guildId,
    moderatorId: request.moderatorId,
    player,
    groupId: ranked.group.robloxId,
    groupName: ranked.group.displayName,
    from: current,
    to: suspended,
    reason,
    durationSeconds,
    roblox: ranked.group.roblox,
  };
}

/**
 * Suspends: the suspension (the role to give back, and when) is recorded
 * and its restore scheduled before the case and the Roblox call, so a crash
 * at any point leaves a restore that will happen. A suspension that did not
 * apply is ended at once, with nothing to restore.
 */
export async function applySuspend(deps: SuspensionDeps, change: PreparedRoleChange): Promise<CaseResult> {
  const endsAt = new Date(Date.now() + (change.durationSeconds ?? 0) * 1_000);
  const suspension = await insertSuspension(deps.db, {
    guildId: change.guildId,
    groupId: change.groupId,
    robloxUserId: change.player.id,
    robloxUsername: change.player.name,
    suspendedRoleId: change.to.id,
    suspendedRoleName: change.to.displayName,
    restoreRoleId: change.from.id,
    restoreRoleName: change.from.displayName,
    endsAt,
  });
  if (suspension === undefined) throw new UserError(`**${change.player.name}** is already suspended in ${change.groupName}.`);
  let pending: CaseRow;
  try {
    await deps.suspensionTimers.schedule(suspension);
    pending = await recordRoleChange(deps, change, endsAt);
  } catch (error) {
    await deleteSuspension(deps.db, suspension.id);
    throw error;
  }
  const result = await carryOutRoleChange(deps, pending, change.roblox);
  if (result.failure !== undefined) await endSuspension(deps.db, suspension.id, null);
  return result;
}

export interface UnsuspendRequest {
  guildId: string;
  moderatorId: string;
  player: string;
  group: string | undefined;
  reason: string | undefined;
}

/** Lifts a running suspension before its end; the scheduled restore then finds it ended and does nothing. */
export async function unsuspend(deps: ModerationDeps, request: UnsuspendRequest): Promise<CaseResult> {
  const reason = checkLength(request.reason?.trim() ?? "", REASON_MAX, "reason");
  const group = await openLinked(deps, request.guildId, "group", request.group);
  const player = await resolvePlayer(deps, group.roblox, request.player, request.guildId);
  const suspension = await findActiveSuspension(deps.db, request.guildId, group.robloxId, player.id);
  if (suspension === undefined) throw new UserError(`**${player.name}** has no suspension running in **${group.displayName}**.`);
  return liftSuspension(deps, group, suspension, { moderatorId: request.moderatorId, reason });
}

/** The scheduled end of a suspension: lifts it unless it already ended. Run by the restore job, as the bot. */
export async function restoreSuspension(deps: ModerationDeps & { automationActorId: string }, suspensionId: number): Promise<void> {
  const suspension = await getSuspension(deps.db, suspensionId);
  if (suspension === undefined || suspension.endedAt !== null) return;
  const group = await openLinkedById(deps, suspension.guildId, "group", suspension.groupId);
  await liftSuspension(deps, group, suspension, { moderatorId: deps.automationActorId, reason: "The suspension ran out." });
}

/**
 * Gives the member back the role they had. The unsuspend case is recorded
 * first (it also locks the member), then ends the suspension in one
 * conditional UPDATE, so /unsuspend and the scheduled restore lift it once.
 * A member no longer in the suspended role was ranked in Roblox meanwhile:
 * they are left as they are, and the case says so.
 */
async function liftSuspension(
  deps: ModerationDeps,
  group: LinkedTarget,
  suspension: SuspensionRow,
  by: { moderatorId: string; reason: string },
): Promise<CaseResult> {
  const pending = await recordRoleChange(deps, {
    action: "unsuspend",
    guildId: suspension.guildId,
    moderatorId: by.moderatorId,
    player: { id: suspension.robloxUserId, name: suspension.robloxUsername, displayName: suspension.robloxUsername },
    groupId: suspension.groupId,
    groupName: group.displayName,
    from: { id: suspension.suspendedRoleId, displayName: suspension.suspendedRoleName },
    to: { id: suspension.restoreRoleId, displayName: suspension.restoreRoleName },
    reason: by.reason,
    durationSeconds: null,
    roblox: group.roblox,
  });
  if (!(await endSuspension(deps.db, suspension.id, pending.id))) return settleUnchanged(deps, pending, "The suspension had already been lifted.");
  let membership;
  try {
    membership = await findMembership(group.roblox, group.robloxId, suspension.robloxUserId);
  } catch (error) {
    if (!(error instanceof OpenCloudError)) throw error;
    return settleUnchanged(deps, pending, userMessage(error));
  }
  if (membership === undefined) return settleUnchanged(deps, pending, `${suspension.robloxUsername} is no longer in the group; nothing to restore.`);
  if (!membership.roleIds.includes(suspension.suspendedRoleId)) {
    return settleUnchanged(
      deps,
      pending,
      `${suspension.robloxUsername} was ranked in Roblox during the suspension (no longer ${suspension.suspendedRoleName}); Warden left them as they are.`,
    );
  }
  return carryOutRoleChange(deps, pending, group.roblox);
}

/** Settles an unsuspend case that changed nothing in Roblox, and says why in the mod log. */
async function settleUnchanged(deps: ModerationDeps, pending: CaseRow, why: string): Promise<CaseResult> {
  const row = await settleCase(deps.db, pending.id, deps.processId, { status: "failed", error: why });
  return { row, failure: why, published: await publish(deps, row) };
}
