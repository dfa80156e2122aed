import type { GroupRole, KeyedOpenCloud } from "../../opencloud/index.js";
import { clipText } from "../clipText.js";
import { UserError } from "../userError.js";

/** Roblox's fixed ranks: every group has a Guest role (non-members) and an Owner role, and neither can be assigned. */
export const GUEST_RANK = 0;
export const OWNER_RANK = 255;

export const isAssignable = (role: GroupRole) => role.rank !== GUEST_RANK && role.rank !== OWNER_RANK;

/** How a role reads in every message: its name and its rank. */
export const describeRole = (role: Pick<GroupRole, "displayName" | "rank">) => `**${role.displayName}** (rank ${role.rank})`;

/** Every role of the group, lowest rank first. */
export async function listGroupRoles(roblox: KeyedOpenCloud, groupId: string): Promise<GroupRole[]> {
  const roles: GroupRole[] = [];
  for await (const role of roblox.groups.roles(groupId, { maxPageSize: 20 }).items()) roles.push(role);
  return roles.sort((a, b) => a.rank - b.rank);
}

/**
 * The role staff named: its id (what autocomplete offers) or, when no role
 * has that id, its name if exactly one role is called so.
 */
export function chooseRole(roles: readonly GroupRole[], typed: string, option: string): GroupRole {
  const wanted = typed.trim();
  const byId = roles.find((role) => role.id === wanted);
  if (byId !== undefined) return byId;
  const named = roles.filter((role) => role.displayName.trim().toLowerCase() === wanted.toLowerCase());
  const [match, ...alike] = named;
  if (match === undefined) throw new UserError(`\`${clipText(wanted, 50)}\` is not a role of this group: pick one from the list in \`${option}\`.`);
  if (alike.length > 0) throw new UserError(`Several roles are named \`${match.displayName}\`: pick one from the list in \`${option}\`.`);
  return match;
}

/** A role that is one the group has and that anyone may be given: not Guest, not Owner. */
export function requireAssignable(role: GroupRole): GroupRole {
  if (!isAssignable(role)) {
    throw new UserError(`${describeRole(role)} can't be given to anyone: Roblox lets no one assign the Guest or Owner role.`);
  }
  return role;
}

/** The roles whose name or rank contains what was typed, for autocomplete: each offered by its id. */
export function matchRoles(roles: readonly GroupRole[], typed: string): GroupRole[] {
  const text = typed.trim().toLowerCase();
  return roles.filter((role) => role.id === text || role.displayName.toLowerCase().includes(text) || String(role.rank).startsWith(text));
}
