import { getRankSettings } from "../../db/links.js";
import type { GroupRole } from "../../opencloud/index.js";
import { openLinked, type LinkedTarget } from "../moderation/linkedExperience.js";
import { resolvePlayer, type Player } from "../moderation/resolvePlayer.js";
import { checkLength, type CaseResult, type ModerationDeps } from "../moderation/restrictions.js";
import { UserError } from "../userError.js";
import { chooseRole, describeRole, listGroupRoles, requireAssignable } from "./groupRoles.js";
import { REASON_MAX, carryOutRoleChange, currentRole, findMembership, recordRoleChange, type PreparedRoleChange } from "./roleChanges.js";


export interface RankRequest {
  guildId: string;
  moderatorId: string;
  /** A username or numeric user id, as typed. */
  player: string;
  /** A role id (what autocomplete offers) or name. */
  role: string;
  /** A linked group's id or name; may be left out when one is linked. */
  group: string | undefined;
  reason: string | undefined;
}

/** A linked group with its rank settings resolved against its roles as Roblox has them now. */
export interface RankedGroup {
  group: LinkedTarget;
  roles: GroupRole[];
  maxRole: GroupRole;
  suspendedRole: GroupRole | undefined;
}

/** The group a rank command acts on; refused until /setup ranks chose its ceiling. */
export async function openRankedGroup(deps: ModerationDeps, guildId: string, typed: string | undefined): Promise<RankedGroup> {
  const group = await openLinked(deps, guildId, "group", typed);
  const settings = await getRankSettings(deps.db, guildId, group.robloxId);
  if (settings?.maxRoleId == null) {
    throw new UserError(`Ranks are not set up for **${group.displayName}** yet. An admin can choose them with \`/setup ranks\`.`);
  }
  const roles = await listGroupRoles(group.roblox, group.robloxId);
  const maxRole = roles.find((role) => role.id === settings.maxRoleId);
  if (maxRole === undefined) {
    throw new UserError(`The \`max_role\` chosen for **${group.displayName}** no longer exists in the group. An admin can choose another with \`/setup ranks\`.`);
  }
  return { group, roles, maxRole, suspendedRole: roles.find((role) => role.id === settings.suspendedRoleId) };
}

/**
 * The member as they are now, if Warden may change them: in the group, and
 * below the ceiling (a member at or above it is someone Warden must not touch).
 */
export async function rankableMember(deps: ModerationDeps, ranked: RankedGroup, typedPlayer: string, guildId: string): Promise<{ player: Player; current: GroupRole }> {
  const { group, roles, maxRole } = ranked;
  const player = await resolvePlayer(deps, group.roblox, typedPlayer, guildId);
  const membership = await findMembership(group.roblox, group.robloxId, player.id);
  const current = membership === undefined ? undefined : currentRole(roles, membership);
  if (current === undefined) throw new UserError(`**${player.name}** (${player.id}) is not in **${group.displayName}**.`);
  if (current.rank >= maxRole.rank) {
    throw new UserError(
      `**${player.name}** is ${describeRole(current)}, at or above ${describeRole(maxRole)}, the highest role Warden may assign: ` +
        "their rank is changed in Roblox, not from Discord.",
    );
  }
  return { player, current };
}

/** Checks a rank change before anything is recorded: group, role, ceiling, member. Only reads Roblox. */
export async function prepareRank(deps: ModerationDeps, request: RankRequest): Promise<PreparedRoleChange> {
  const reason = checkLength(request.reason?.trim() ?? "", REASON_MAX, "reason");
  const ranked = await openRankedGroup(deps, request.guildId, request.group);
  const to = requireAssignable(chooseRole(ranked.roles, request.role, "role"));
  if (to.rank > ranked.maxRole.rank) {
    throw new UserError(`${describeRole(to)} is above ${describeRole(ranked.maxRole)}, the highest role Warden may assign in **${ranked.group.displayName}**.`);
  }
  const { player, current } = await rankableMember(deps, ranked, request.player, request.guildId);
  if (current.id === to.id) throw new UserError(`**${player.name}** is already ${describeRole(to)}; nothing to change.`);
  return {
    action: "rank",
    guildId: request.guildId,
    moderatorId: request.moderatorId,
    player,
    groupId: ranked.group.robloxId,
    groupName: ranked.group.displayName,
    from: current,
    to,
    reason,
    durationSeconds: null,
    roblox: ranked.group.roblox,
  };
}

/** Records the case, changes the role, verifies and publishes. */
export async function applyRank(deps: ModerationDeps, change: PreparedRoleChange): Promise<CaseResult> {
  return carryOutRoleChange(deps, await recordRoleChange(deps, change), change.roblox);
}
