import { OverwriteType, PermissionFlagsBits } from "discord.js";

export const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

export interface PermissionOverwrite {
  id: string;
  type: OverwriteType;
  allow: bigint;
  deny: bigint;
}

export interface PermissionSubject {
  guildId: string;
  ownerId: string;
  userId: string;
  /** Role ids the member holds, without @everyone. */
  roleIds: readonly string[];
  rolePermissions: (roleId: string) => bigint;
}

/** Guild-level permissions (docs: topics/permissions.mdx, compute_base_permissions). */
export function basePermissions(subject: PermissionSubject): bigint {
  if (subject.userId === subject.ownerId) return ALL_PERMISSIONS;
  // The @everyone role shares the guild's id.
  let permissions = subject.rolePermissions(subject.guildId);
  for (const roleId of subject.roleIds) permissions |= subject.rolePermissions(roleId);
  if ((permissions & PermissionFlagsBits.Administrator) === PermissionFlagsBits.Administrator) return ALL_PERMISSIONS;
  return permissions;
}

/** Channel-level permissions (docs: topics/permissions.mdx, compute_overwrites and implicit permissions). */
export function channelPermissions(subject: PermissionSubject, overwrites: readonly PermissionOverwrite[]): bigint {
  const base = basePermissions(subject);
  if ((base & PermissionFlagsBits.Administrator) === PermissionFlagsBits.Administrator) return ALL_PERMISSIONS;

  let permissions = base;
  const everyone = overwrites.find((o) => o.id === subject.guildId);
  if (everyone) {
    permissions &= ~everyone.deny;
    permissions |= everyone.allow;
  }
  let allow = 0n;
  let deny = 0n;
  for (const overwrite of overwrites) {
    if (overwrite.type === OverwriteType.Role && subject.roleIds.includes(overwrite.id)) {
      allow |= overwrite.allow;
      deny |= overwrite.deny;
    }
  }
  permissions &= ~deny;
  permissions |= allow;
  const member = overwrites.find((o) => o.type === OverwriteType.Member && o.id === subject.userId);
  if (member) {
    permissions &= ~member.deny;
    permissions |= member.allow;
  }

  // Without View Channel nothing else in the channel applies; without Send Messages
  // the permissions that only qualify a sent message do not apply either.
  if ((permissions & PermissionFlagsBits.ViewChannel) === 0n) return 0n;
  if ((permissions & PermissionFlagsBits.SendMessages) === 0n) {
    permissions &= ~(
      PermissionFlagsBits.MentionEveryone |
      PermissionFlagsBits.SendTTSMessages |
      PermissionFlagsBits.AttachFiles |
      PermissionFlagsBits.EmbedLinks
    );
  }
  return permissions;
}

export function hasPermission(permissions: bigint, flag: bigint): boolean {
  return (permissions & flag) === flag;
}
