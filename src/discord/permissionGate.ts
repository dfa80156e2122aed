import { PermissionFlagsBits } from "discord.js";
import type { Database } from "../db/connection.js";
import type { Permission } from "../db/schema.js";
import { hasGrant } from "../db/staffGrants.js";

/** Who is asking, as Discord computed it for this interaction. */
export interface Asker {
  guildId: string;
  userId: string;
  roleIds: readonly string[];
  /** The member's permissions in the channel, from the interaction payload. */
  permissions: bigint;
}

/** Server owners' own staff: they hold every Warden permission without a grant. */
const HOLDS_EVERYTHING = PermissionFlagsBits.Administrator | PermissionFlagsBits.ManageGuild;

/**
 * The one permission check, run before every command and every click: deny
 * unless Discord says the member manages the server or a staff grant says yes.
 */
export async function mayAct(db: Database, asker: Asker, permission: Permission): Promise<boolean> {
  if ((asker.permissions & HOLDS_EVERYTHING) !== 0n) return true;
  return hasGrant(db, { guildId: asker.guildId, permission, userId: asker.userId, roleIds: asker.roleIds });
}
