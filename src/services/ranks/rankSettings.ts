import { setRankSettings } from "../../db/links.js";
import { missingScopes } from "../../opencloud/index.js";
import { openLinked, type ExperienceDeps } from "../moderation/linkedExperience.js";
import { UserError } from "../userError.js";
import { chooseRole, describeRole, listGroupRoles, requireAssignable } from "./groupRoles.js";

export interface RankSettingsRequest {
  guildId: string;
  /** A linked group's id or name. */
  group: string;
  suspendedRole: string;
  maxRole: string;
}

export interface RankSettingsResult {
  groupId: string;
  groupName: string;
  /** The two roles as every message shows them. */
  suspendedRole: string;
  maxRole: string;
}

/**
 * Chooses, for one linked group, the role /suspend moves members to and the
 * highest role Warden may assign. Both must be roles the group has and that
 * can be assigned, the suspended one no higher than the ceiling, and the
 * group's key must still be allowed to write to the group: its scopes may
 * have been narrowed since it was linked.
 */
export async function configureRanks(deps: ExperienceDeps, request: RankSettingsRequest): Promise<RankSettingsResult> {
  const group = await openLinked(deps, request.guildId, "group", request.group);
  const missing = missingScopes(await group.introspectKey(), [{ scope: "group:write", groupId: group.robloxId }]);
  if (missing.length > 0) {
    throw new UserError(
      `The API key of **${group.displayName}** lacks \`group:write\` for group ${group.robloxId}, so Warden couldn't change ranks. ` +
        "In Creator Hub -> Open Cloud -> API Keys, add it for this group, then run `/setup ranks` again.",
    );
  }
  const roles = await listGroupRoles(group.roblox, group.robloxId);
  const suspended = requireAssignable(chooseRole(roles, request.suspendedRole, "suspended_role"));
  const max = requireAssignable(chooseRole(roles, request.maxRole, "max_role"));
  if (suspended.rank > max.rank) {
    throw new UserError(
      `The suspended role ${describeRole(suspended)} is above \`max_role\` ${describeRole(max)}: Warden could not move anyone into it. ` +
        "Choose a lower suspended role or a higher `max_role`.",
    );
  }
  if (!(await setRankSettings(deps.db, request.guildId, group.robloxId, { suspendedRoleId: suspended.id, maxRoleId: max.id }))) {
    throw new UserError(`**${group.displayName}** was unlinked meanwhile; nothing was saved.`);
  }
  return { groupId: group.robloxId, groupName: group.displayName, suspendedRole: describeRole(suspended), maxRole: describeRole(max) };
}

/** The roles of the group staff are typing about (or the only one linked), for autocomplete. */
export async function rolesOfLinkedGroup(deps: ExperienceDeps, guildId: string, typedGroup: string | undefined) {
  const group = await openLinked(deps, guildId, "group", typedGroup);
  return listGroupRoles(group.roblox, group.robloxId);
}
