/**
 * Everything the local Open Cloud knows, in memory: keys, players, experiences,
 * groups, bans and their logs. Seeding goes through the `add*` methods (test
 * code), reading goes through the `require*` lookups that answer 404 the way
 * the real service does.
 */
import { createHash } from "node:crypto";
import { notFound } from "./errors.js";

export interface ScopeGrant {
  /** As Creator Hub names it, e.g. `universe.user-restriction`, `group`, `user.advanced`. */
  name: string;
  operations: string[];
  universeIds?: string[];
  groupIds?: string[];
  userIds?: string[];
}

export interface ApiKeyInput {
  key: string;
  ownerId: string;
  ownerType?: "User" | "Group";
  name?: string;
  scopes: ScopeGrant[];
  enabled?: boolean;
  expired?: boolean;
  expirationTimeUtc?: string;
  /** Who created a group-owned key; a user-owned key is authorised by its owner. */
  authorizedUserId?: string;
}

export interface ApiKeyRecord {
  key: string;
  fingerprint: string;
  ownerId: string;
  ownerType: "User" | "Group";
  name: string;
  scopes: ScopeGrant[];
  enabled: boolean;
  expired: boolean;
  expirationTimeUtc: string | undefined;
  authorizedUserId: string | undefined;
}

export interface SocialNetworkProfiles {
  facebook?: string;
  twitter?: string;
  youtube?: string;
  twitch?: string;
  guilded?: string;
  visibility?: string;
}

export type HeadshotState = "Completed" | "Pending" | "Blocked";

export interface UserInput {
  id: string;
  name: string;
  displayName?: string;
  createTime?: string;
  about?: string;
  locale?: string;
  premium?: boolean;
  idVerified?: boolean;
  previousNames?: string[];
  socialNetworkProfiles?: SocialNetworkProfiles;
  /** Terminated by Roblox itself; `excludeBannedUsers` on the usernames host hides them. */
  terminated?: boolean;
  hasVerifiedBadge?: boolean;
  headshotState?: HeadshotState;
}

export interface UserRecord {
  id: string;
  name: string;
  displayName: string;
  createTime: string;
  about: string;
  locale: string;
  premium: boolean;
  idVerified: boolean;
  previousNames: string[];
  socialNetworkProfiles: SocialNetworkProfiles;
  terminated: boolean;
  hasVerifiedBadge: boolean;
  headshotState: HeadshotState;
}

export interface UniverseInput {
  id: string;
  displayName?: string;
  description?: string;
  /** The first is the root place. */
  placeIds: string[];
  ownerUserId?: string;
  ownerGroupId?: string;
}

export interface UniverseRecord {
  id: string;
  displayName: string;
  description: string;
  placeIds: string[];
  ownerUserId: string | undefined;
  ownerGroupId: string | undefined;
  createTime: string;
}

export interface RoleInput {
  id: string;
  displayName: string;
  rank: number;
  description?: string;
  permissions?: Record<string, boolean>;
}

export interface GroupInput {
  id: string;
  displayName?: string;
  description?: string;
  ownerId?: string;
  roles?: RoleInput[];
  publicEntryAllowed?: boolean;
  locked?: boolean;
  verified?: boolean;
}

export interface RoleRecord {
  id: string;
  displayName: string;
  rank: number;
  description: string;
  permissions: Record<string, boolean>;
}

export interface GroupRecord {
  id: string;
  displayName: string;
  description: string;
  ownerId: string | undefined;
  roles: RoleRecord[];
  publicEntryAllowed: boolean;
  locked: boolean;
  verified: boolean;
  createTime: string;
}

export interface JoinRequestRecord {
  userId: string;
  createTime: string;
}

export interface MembershipRecord {
  userId: string;
  roleIds: string[];
  createTime: string;
  updateTime: string;
}

export interface RestrictionRecord {
  active: boolean;
  startTime: string | undefined;
  duration: string | undefined;
  privateReason: string;
  displayReason: string;
  excludeAltAccounts: boolean;
  updateTime: string;
}

export type Moderator = { robloxUser: string } | { gameServerScript: Record<string, never> } | Record<string, never>;

export interface LogRecord {
  userId: string;
  placeId: string | undefined;
  moderator: Moderator;
  createTime: string;
  active: boolean;
  startTime: string | undefined;
  duration: string | undefined;
  privateReason: string;
  displayReason: string;
  excludeAltAccounts: boolean;
}

export interface ThumbnailOperation {
  id: string;
  userId: string;
  pollsUntilDone: number;
  imageUri: string;
}

export function fingerprint(key: string): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

export const iso = (ms: number) => new Date(ms).toISOString();

/** Every permission GroupRole_RolePermissions names; unset ones read as false. */
export const ROLE_PERMISSION_NAMES = [
  "viewWallPosts", "createWallPosts", "deleteWallPosts", "viewGroupShout", "createGroupShout",
  "changeRank", "acceptRequests", "exileMembers", "manageRelationships", "viewAuditLog",
  "spendGroupFunds", "advertiseGroup", "createAvatarItems", "manageAvatarItems",
  "manageGroupUniverses", "viewUniverseAnalytics", "createApiKeys", "manageApiKeys",
  "banMembers", "viewForums", "manageCategories", "createPosts", "lockPosts", "pinPosts",
  "removePosts", "createComments", "removeComments", "manageBlockedWords", "viewBlockedWords",
  "bypassSlowMode",
] as const;

/**
 * One entry of a group's audit log. The specification leaves `description`
 * untyped; its fields here are the ones Roblox's live API shows for each
 * action type (TargetId, TargetName, and the role sets of a rank change).
 */
export interface AuditEntryRecord {
  actorUserId: string;
  actionType: string;
  description: Record<string, string | number>;
  created: string;
}

export class EmulatorState {
  readonly apiKeys = new Map<string, ApiKeyRecord>();
  readonly users = new Map<string, UserRecord>();
  readonly universes = new Map<string, UniverseRecord>();
  readonly groups = new Map<string, GroupRecord>();
  /** groupId -> userId -> request; the request id is the user id. */
  readonly joinRequests = new Map<string, Map<string, JoinRequestRecord>>();
  /** groupId -> userId -> membership. */
  readonly memberships = new Map<string, Map<string, MembershipRecord>>();
  /** groupId -> the users banned from it (on the website: Open Cloud has no group bans). */
  readonly groupBans = new Map<string, Set<string>>();
  /** universeId -> userId -> universe-level restriction. */
  readonly universeRestrictions = new Map<string, Map<string, RestrictionRecord>>();
  /** `${universeId}/${placeId}` -> userId -> place-level restriction. */
  readonly placeRestrictions = new Map<string, Map<string, RestrictionRecord>>();
  /** universeId -> logs, oldest first. */
  readonly restrictionLogs = new Map<string, LogRecord[]>();
  readonly thumbnailOperations = new Map<string, ThumbnailOperation>();
  /** groupId -> audit log, oldest first. */
  readonly auditLogs = new Map<string, AuditEntryRecord[]>();

  constructor(private readonly now: () => number) {}

  addApiKey(input: ApiKeyInput): void {
    this.apiKeys.set(input.key, {
      key: input.key,
      fingerprint: fingerprint(input.key),
      ownerId: input.ownerId,
      ownerType: input.ownerType ?? "User",
      name: input.name ?? "warden-test-key",
      scopes: input.scopes.map((scope) => ({ ...scope, operations: [...scope.operations] })),
      enabled: input.enabled ?? true,
      expired: input.expired ?? false,
      expirationTimeUtc: input.expirationTimeUtc,
      authorizedUserId: input.authorizedUserId ?? ((input.ownerType ?? "User") === "User" ? input.ownerId : undefined),
    });
  }

  addUser(input: UserInput): void {
    this.users.set(input.id, {
      id: input.id,
      name: input.name,
      displayName: input.displayName ?? input.name,
      createTime: input.createTime ?? iso(this.now()),
      about: input.about ?? "",
      locale: input.locale ?? "en-US",
      premium: input.premium ?? false,
      idVerified: input.idVerified ?? false,
      previousNames: input.previousNames ?? [],
      socialNetworkProfiles: input.socialNetworkProfiles ?? {},
      terminated: input.terminated ?? false,
      hasVerifiedBadge: input.hasVerifiedBadge ?? false,
      headshotState: input.headshotState ?? "Completed",
    });
  }

  addUniverse(input: UniverseInput): void {
    if (input.placeIds.length === 0) throw new Error(`universe ${input.id} needs at least its root place`);
    for (const placeId of input.placeIds) {
      const owner = this.universeOfPlace(placeId);
      if (owner !== undefined && owner.id !== input.id) {
        throw new Error(`place ${placeId} already belongs to universe ${owner.id}`);
      }
    }
    this.universes.set(input.id, {
      id: input.id,
      displayName: input.displayName ?? `Experience ${input.id}`,
      description: input.description ?? "",
      placeIds: [...input.placeIds],
      ownerUserId: input.ownerUserId,
      ownerGroupId: input.ownerGroupId,
      createTime: iso(this.now()),
    });
  }

  addGroup(input: GroupInput): void {
    const roles: RoleInput[] = input.roles ?? [
      { id: `${input.id}000`, displayName: "Guest", rank: 0 },
      { id: `${input.id}001`, displayName: "Member", rank: 1 },
      { id: `${input.id}255`, displayName: "Owner", rank: 255 },
    ];
    for (const role of roles) {
      if (!Number.isInteger(role.rank) || role.rank < 0 || role.rank > 255) {
        throw new Error(`role ${role.id}: rank must be an integer 0..255`);
      }
    }
    this.groups.set(input.id, {
      id: input.id,
      displayName: input.displayName ?? `Group ${input.id}`,
      description: input.description ?? "",
      ownerId: input.ownerId,
      roles: roles
        .map((role) => ({
          id: role.id,
          displayName: role.displayName,
          rank: role.rank,
          description: role.description ?? "",
          permissions: role.permissions ?? {},
        }))
        .sort((a, b) => a.rank - b.rank),
      publicEntryAllowed: input.publicEntryAllowed ?? false,
      locked: input.locked ?? false,
      verified: input.verified ?? false,
      createTime: iso(this.now()),
    });
    const ownerRole = this.groups.get(input.id)?.roles.find((role) => role.rank === 255);
    if (input.ownerId !== undefined && ownerRole !== undefined) {
      this.addMembership({ groupId: input.id, userId: input.ownerId, roleId: ownerRole.id });
    }
  }

  addJoinRequest(input: { groupId: string; userId: string; createTime?: string }): void {
    this.requireGroupForSeeding(input.groupId);
    const requests = this.joinRequests.get(input.groupId) ?? new Map<string, JoinRequestRecord>();
    requests.set(input.userId, { userId: input.userId, createTime: input.createTime ?? iso(this.now()) });
    this.joinRequests.set(input.groupId, requests);
  }

  addMembership(input: { groupId: string; userId: string; roleId: string }): void {
    const group = this.requireGroupForSeeding(input.groupId);
    if (!group.roles.some((role) => role.id === input.roleId)) {
      throw new Error(`group ${input.groupId} has no role ${input.roleId}`);
    }
    const members = this.memberships.get(input.groupId) ?? new Map<string, MembershipRecord>();
    const time = iso(this.now());
    members.set(input.userId, { userId: input.userId, roleIds: [input.roleId], createTime: time, updateTime: time });
    this.memberships.set(input.groupId, members);
  }

  universeOfPlace(placeId: string): UniverseRecord | undefined {
    for (const universe of this.universes.values()) {
      if (universe.placeIds.includes(placeId)) return universe;
    }
    return undefined;
  }

  requireUser(id: string): UserRecord {
    const user = this.users.get(id);
    if (user === undefined) throw notFound(`User users/${id} not found.`);
    return user;
  }

  requireUniverse(id: string): UniverseRecord {
    const universe = this.universes.get(id);
    if (universe === undefined) throw notFound(`Universe universes/${id} not found.`);
    return universe;
  }

  requirePlace(universeId: string, placeId: string): UniverseRecord {
    const universe = this.requireUniverse(universeId);
    if (!universe.placeIds.includes(placeId)) {
      throw notFound(`Place universes/${universeId}/places/${placeId} not found.`);
    }
    return universe;
  }

  requireGroup(id: string): GroupRecord {
    const group = this.groups.get(id);
    if (group === undefined) throw notFound(`Group groups/${id} not found.`);
    return group;
  }

  /** Adds an entry to the group's audit log, by `actorUserId`, about `targetId`. */
  audit(groupId: string, actorUserId: string, actionType: string, targetId: string, more: Record<string, string | number> = {}): void {
    const entries = this.auditLogs.get(groupId) ?? [];
    const target = this.users.get(targetId)?.name ?? "";
    entries.push({ actorUserId, actionType, description: { TargetId: Number(targetId), TargetName: target, ...more }, created: iso(this.now()) });
    this.auditLogs.set(groupId, entries);
  }

  membersOf(groupId: string): Map<string, MembershipRecord> {
    const members = this.memberships.get(groupId) ?? new Map<string, MembershipRecord>();
    this.memberships.set(groupId, members);
    return members;
  }

  groupBansOf(groupId: string): Set<string> {
    const banned = this.groupBans.get(groupId) ?? new Set<string>();
    this.groupBans.set(groupId, banned);
    return banned;
  }

  joinRequestsOf(groupId: string): Map<string, JoinRequestRecord> {
    const requests = this.joinRequests.get(groupId) ?? new Map<string, JoinRequestRecord>();
    this.joinRequests.set(groupId, requests);
    return requests;
  }

  universeRestrictionsOf(universeId: string): Map<string, RestrictionRecord> {
    const restrictions = this.universeRestrictions.get(universeId) ?? new Map<string, RestrictionRecord>();
    this.universeRestrictions.set(universeId, restrictions);
    return restrictions;
  }

  placeRestrictionsOf(universeId: string, placeId: string): Map<string, RestrictionRecord> {
    const key = `${universeId}/${placeId}`;
    const restrictions = this.placeRestrictions.get(key) ?? new Map<string, RestrictionRecord>();
    this.placeRestrictions.set(key, restrictions);
    return restrictions;
  }

  logsOf(universeId: string): LogRecord[] {
    const logs = this.restrictionLogs.get(universeId) ?? [];
    this.restrictionLogs.set(universeId, logs);
    return logs;
  }

  private requireGroupForSeeding(groupId: string): GroupRecord {
    const group = this.groups.get(groupId);
    if (group === undefined) throw new Error(`add group ${groupId} first`);
    return group;
  }
}
