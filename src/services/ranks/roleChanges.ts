import { createCase, settleCase, type CaseOutcome, type CaseRow, type NewCase } from "../../db/cases.js";
import { OpenCloudError, userMessage, type GroupMembership, type GroupRole, type KeyedOpenCloud } from "../../opencloud/index.js";
import { ROLE_CHANGE_ACTIONS } from "../../db/schema.js";
import { endSuspension, findActiveSuspension } from "../../db/suspensions.js";
import { openLinkedById } from "../moderation/linkedExperience.js";
import type { Player } from "../moderation/resolvePlayer.js";
import { publish, violates, type CaseResult, type ModerationDeps } from "../moderation/restrictions.js";
import { guardDestructiveAction } from "../actionGuard.js";
import { UserError } from "../userError.js";

const ROLE_CHANGES: ReadonlySet<string> = new Set(ROLE_CHANGE_ACTIONS);

/** A role change's reason is kept within Roblox's longest reason, as a ban's private reason is. */
export const REASON_MAX = 1_000;

/** A role as a case keeps it: the rank may since have changed, the name is the one it had then. */
export type RoleName = Pick<GroupRole, "id" | "displayName">;

/** A checked move of one group member from one role to another, with nothing done yet. */
export interface PreparedRoleChange {
  action: "rank" | "suspend" | "unsuspend";
  guildId: string;
  moderatorId: string;
  player: Player;
  groupId: string;
  groupName: string;
  from: RoleName;
  to: RoleName;
  reason: string;
  /** A suspension's length; null for every other change. */
  durationSeconds: number | null;
  roblox: KeyedOpenCloud;
}

/** The member's membership in the group; undefined when they are not in it. */
export async function findMembership(roblox: KeyedOpenCloud, groupId: string, userId: string): Promise<GroupMembership | undefined> {
  for await (const membership of roblox.groups.memberships(groupId, { userId, maxPageSize: 1 }).items()) {
    if (membership.userId === userId) return membership;
  }
  return undefined;
}

/** The member's highest role among the group's: what Roblox shows as their rank. */
export function currentRole(roles: readonly GroupRole[], membership: GroupMembership): GroupRole | undefined {
  const held = roles.filter((role) => membership.roleIds.includes(role.id) || role.id === membership.roleId);
  return held.reduce<GroupRole | undefined>((best, role) => (best === undefined || role.rank > best.rank ? role : best), undefined);
}

/**
 * Records the change as a pending case (the pending case is also the lock on
 * the member: one role change of a member at a time, from any process), so
 * nothing is lost if the process dies during the Roblox call.
 */
export async function recordRoleChange(deps: ModerationDeps, change: PreparedRoleChange, expiresAt?: Date): Promise<CaseRow> {
  if (change.action !== "unsuspend") await guardDestructiveAction(deps, change.guildId, change.moderatorId);
  const row: NewCase = {
    guildId: change.guildId,
    action: change.action,
    robloxUserId: change.player.id,
    robloxUsername: change.player.name,
    groupId: change.groupId,
    fromRoleId: change.from.id,
    fromRoleName: change.from.displayName,
    toRoleId: change.to.id,
    toRoleName: change.to.displayName,
    durationSeconds: change.durationSeconds,
    expiresAt: expiresAt ?? null,
    privateReason: change.reason || null,
    moderatorDiscordId: change.moderatorId,
    source: "discord",
    ownerProcess: deps.processId,
  };
  try {
    return await createCase(deps.db, row);
  } catch (error) {
    if (violates(error, "cases_one_pending_role_change_per_member")) {
      throw new UserError(
        `Another change of **${change.player.name}**'s role in ${change.groupName} is under way right now. ` +
          "Look at `/case list` in a moment before trying again.",
      );
    }
    throw error;
  }
}

/**
 * Sends a recorded role change to Roblox: the new role is assigned first (a
 * member must always hold a role), then the old one unassigned; both are
 * no-ops when already done, so a retry after a crash is safe. The membership
 * is then read again: Roblox's answer alone does not prove the change.
 */
export async function carryOutRoleChange(deps: ModerationDeps, pending: CaseRow, roblox: KeyedOpenCloud): Promise<CaseResult> {
  const groupId = pending.groupId ?? "";
  const to = pending.toRoleId ?? "";
  let outcome: CaseOutcome;
  try {
    await roblox.groups.assignRole(groupId, pending.robloxUserId, to);
    if (pending.fromRoleId !== null && pending.fromRoleId !== to) await roblox.groups.unassignRole(groupId, pending.robloxUserId, pending.fromRoleId);
    const after = await findMembership(roblox, groupId, pending.robloxUserId);
    outcome = movedAsAsked(pending, after)
      ? { status: "applied", expiresAt: pending.expiresAt }
      : {
          status: "failed",
          error: `Roblox answered, but the member's roles did not change as asked. Check the group key's \`group:write\` permission, and that its owner ranks above both roles.`,
        };
  } catch (error) {
    outcome = { status: "failed", error: error instanceof OpenCloudError ? userMessage(error) : "Unexpected error inside Warden; see the bot's log." };
    if (!(error instanceof OpenCloudError)) {
      await settleCase(deps.db, pending.id, deps.processId, outcome);
      throw error;
    }
  }
  const settled = await settleCase(deps.db, pending.id, deps.processId, outcome);
  return { row: settled, failure: outcome.status === "failed" ? outcome.error : undefined, published: await publish(deps, settled) };
}

/** The member holds the role the case gave and no longer the one it took away. */
function movedAsAsked(row: CaseRow, membership: GroupMembership | undefined): boolean {
  if (membership === undefined || row.toRoleId === null) return false;
  return membership.roleIds.includes(row.toRoleId) && (row.fromRoleId === row.toRoleId || row.fromRoleId === null || !membership.roleIds.includes(row.fromRoleId));
}

/**
 * Settles the role changes a dead process left pending, now taken over by
 * this one. Roblox's state decides: a change already there is confirmed; one
 * whose old role the member still holds is sent again; a member found in
 * neither role was ranked by someone else meanwhile and is left as they are.
 * Returns how many were settled.
 */
export async function reconcileRoleChanges(deps: ModerationDeps, taken: readonly CaseRow[]): Promise<number> {
  let settled = 0;
  for (const row of taken) {
    if (!ROLE_CHANGES.has(row.action)) continue;
    try {
      await reconcileOne(deps, row);
      settled += 1;
    } catch (error) {
      // Left pending and this process's: it is taken over again once this process is gone, and the log says why.
      deps.logger.error({ err: error, caseId: row.id }, "could not reconcile a pending role change");
    }
  }
  return settled;
}

async function reconcileOne(deps: ModerationDeps, row: CaseRow): Promise<void> {
  if (row.action === "unsuspend") {
    // The restore may have been cut short before it ended the suspension: end it now, as this case's.
    const running = await findActiveSuspension(deps.db, row.guildId, row.groupId ?? "", row.robloxUserId);
    if (running !== undefined) await endSuspension(deps.db, running.id, row.id);
  }
  const fail = async (error: string) => publish(deps, await settleCase(deps.db, row.id, deps.processId, { status: "failed", error: `Interrupted, then: ${error}` }));
  let group;
  try {
    group = await openLinkedById(deps, row.guildId, "group", row.groupId ?? "");
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    await fail(error.message);
    return;
  }
  let membership;
  try {
    membership = await findMembership(group.roblox, group.robloxId, row.robloxUserId);
  } catch (error) {
    if (!(error instanceof OpenCloudError)) throw error;
    await fail(userMessage(error));
    return;
  }
  if (movedAsAsked(row, membership)) {
    await publish(deps, await settleCase(deps.db, row.id, deps.processId, { status: "applied", expiresAt: row.expiresAt }));
  } else if (membership === undefined) {
    await fail("the member is no longer in the group.");
  } else if (row.fromRoleId !== null && membership.roleIds.includes(row.fromRoleId)) {
    await carryOutRoleChange(deps, row, group.roblox);
  } else {
    await fail("the member's role was changed in Roblox meanwhile; Warden left it as it is.");
  }
}
