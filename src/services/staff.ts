import type { Database } from "../db/connection.js";
import type { Permission } from "../db/schema.js";
import { grantPermission, listGrants, revokePermission, type GrantSubject, type StaffGrant } from "../db/staffGrants.js";
import { UserError } from "./userError.js";

export interface GrantChange {
  guildId: string;
  actorId: string;
  subject: GrantSubject;
  permission: Permission;
}

/** Grants a permission; false when it was already held that way. */
export async function grantStaffPermission(db: Database, change: GrantChange): Promise<boolean> {
  // The @everyone role shares the guild's id: handing it `configure` would give every member the keys.
  if (change.subject.type === "role" && change.subject.id === change.guildId && change.permission === "configure") {
    throw new UserError("`configure` can't be granted to @everyone: every member could change Warden's setup and API keys.");
  }
  return grantPermission(db, { ...change, grantedBy: change.actorId });
}

/** Revokes a permission; false when there was no such grant. */
export async function revokeStaffPermission(db: Database, change: GrantChange): Promise<boolean> {
  return revokePermission(db, change);
}

export async function listStaffGrants(db: Database, guildId: string): Promise<StaffGrant[]> {
  return listGrants(db, guildId);
}
