import { z } from "zod";
import type { Caller, KeyHandle } from "./call.js";
import { type RobloxId, toId } from "./ids.js";
import { type PageOptions, Paginator, toPage } from "./paginate.js";
import {
  type AuditLogEntry,
  auditLogPageSchema,
  type Group,
  type GroupMembership,
  type GroupRole,
  type JoinRequest,
  groupSchema,
  listJoinRequestsSchema,
  listMembershipsSchema,
  listRolesSchema,
  membershipSchema,
} from "./schemas.js";

/** Join requests come at most 20 to a page; more is clamped by Roblox anyway. */
export const MAX_JOIN_REQUEST_PAGE = 20;

// Accept and decline answer 200 with an empty object (or no body at all).
const emptySchema = z.object({});

export interface MembershipFilter {
  userId?: RobloxId;
  roleId?: RobloxId;
}

export class Groups {
  constructor(
    private readonly caller: Caller,
    private readonly key: KeyHandle,
  ) {}

  async get(groupId: RobloxId): Promise<Group> {
    const id = toId(groupId, "groupId");
    return this.caller.call({ operation: "groups.get", host: "openCloud", method: "GET", path: `/cloud/v2/groups/${id}`, key: this.key, schema: groupSchema });
  }

  /** Pending join requests, oldest first as Roblox returns them; `userId` narrows to one player's request. */
  joinRequests(groupId: RobloxId, options: PageOptions & { userId?: RobloxId } = {}): Paginator<JoinRequest> {
    const id = toId(groupId, "groupId");
    // Only `user ==` is supported for join requests.
    const filter = options.userId === undefined ? undefined : `user == 'users/${toId(options.userId, "userId")}'`;
    const maxPageSize = options.maxPageSize === undefined ? undefined : Math.min(options.maxPageSize, MAX_JOIN_REQUEST_PAGE);
    return new Paginator("groups.listJoinRequests", async (pageToken) => {
      const page = await this.caller.call({
        operation: "groups.listJoinRequests",
        host: "openCloud",
        method: "GET",
        path: `/cloud/v2/groups/${id}/join-requests`,
        query: { maxPageSize, pageToken, filter },
        key: this.key,
        schema: listJoinRequestsSchema,
      });
      return toPage(page.groupJoinRequests, page.nextPageToken);
    }, options.pageToken);
  }

  /** NotFoundError means the request is gone: handled elsewhere, or withdrawn. */
  async acceptJoinRequest(groupId: RobloxId, userId: RobloxId): Promise<void> {
    await this.decideJoinRequest("groups.acceptJoinRequest", "accept", groupId, userId);
  }

  /** NotFoundError means the request is gone: handled elsewhere, or withdrawn. */
  async declineJoinRequest(groupId: RobloxId, userId: RobloxId): Promise<void> {
    await this.decideJoinRequest("groups.declineJoinRequest", "decline", groupId, userId);
  }

  /**
   * The group's audit log, newest first, 100 entries a page (the legacy
   * surface's largest). Needs `legacy-group:manage` and, for a member's key,
   * the viewAuditLog permission.
   */
  auditLog(groupId: RobloxId): Paginator<AuditLogEntry> {
    const id = toId(groupId, "groupId");
    return new Paginator("groups.auditLog", async (cursor) => {
      const page = await this.caller.call({
        operation: "groups.auditLog",
        host: "openCloud",
        method: "GET",
        path: `/legacy-groups/v1/groups/${id}/audit-log`,
        query: { limit: 100, sortOrder: "Desc", cursor },
        key: this.key,
        schema: auditLogPageSchema,
      });
      return toPage(page.data, page.nextPageCursor ?? undefined);
    }, undefined);
  }

  memberships(groupId: RobloxId, options: PageOptions & MembershipFilter = {}): Paginator<GroupMembership> {
    const id = toId(groupId, "groupId");
    const filter = membershipFilter(id, options);
    return new Paginator("groups.listMemberships", async (pageToken) => {
      const page = await this.caller.call({
        operation: "groups.listMemberships",
        host: "openCloud",
        method: "GET",
        path: `/cloud/v2/groups/${id}/memberships`,
        query: { maxPageSize: options.maxPageSize, pageToken, filter },
        key: this.key,
        schema: listMembershipsSchema,
      });
      return toPage(page.groupMemberships, page.nextPageToken);
    }, options.pageToken);
  }

  roles(groupId: RobloxId, options: PageOptions = {}): Paginator<GroupRole> {
    const id = toId(groupId, "groupId");
    return new Paginator("groups.listRoles", async (pageToken) => {
      const page = await this.caller.call({
        operation: "groups.listRoles",
        host: "openCloud",
        method: "GET",
        path: `/cloud/v2/groups/${id}/roles`,
        query: { maxPageSize: options.maxPageSize, pageToken },
        key: this.key,
        schema: listRolesSchema,
      });
      return toPage(page.groupRoles, page.nextPageToken);
    }, options.pageToken);
  }

  /**
   * Replaces the member's rank with `roleId`. Roblox marks this PATCH
   * deprecated in favour of assignRole/unassignRole, which manage one role of several.
   */
  async setRole(groupId: RobloxId, userId: RobloxId, roleId: RobloxId): Promise<GroupMembership> {
    const group = toId(groupId, "groupId");
    // A user id stands in for the membership id.
    const user = toId(userId, "userId");
    return this.caller.call({
      operation: "groups.updateMembership",
      host: "openCloud",
      method: "PATCH",
      path: `/cloud/v2/groups/${group}/memberships/${user}`,
      body: { role: `groups/${group}/roles/${toId(roleId, "roleId")}` },
      key: this.key,
      schema: membershipSchema,
    });
  }

  /** Adds a role; Roblox does nothing if the member holds it already, which makes retries safe. */
  async assignRole(groupId: RobloxId, userId: RobloxId, roleId: RobloxId): Promise<GroupMembership> {
    return this.changeRole("groups.assignRole", "assignRole", groupId, userId, roleId);
  }

  /** Removes a role; Roblox does nothing if the member lacks it, which makes retries safe. */
  async unassignRole(groupId: RobloxId, userId: RobloxId, roleId: RobloxId): Promise<GroupMembership> {
    return this.changeRole("groups.unassignRole", "unassignRole", groupId, userId, roleId);
  }

  private async decideJoinRequest(
    operation: "groups.acceptJoinRequest" | "groups.declineJoinRequest",
    verb: "accept" | "decline",
    groupId: RobloxId,
    userId: RobloxId,
  ): Promise<void> {
    const group = toId(groupId, "groupId");
    const user = toId(userId, "userId");
    await this.caller.call({
      operation,
      host: "openCloud",
      method: "POST",
      path: `/cloud/v2/groups/${group}/join-requests/${user}:${verb}`,
      body: {},
      key: this.key,
      schema: emptySchema,
    });
  }

  private async changeRole(
    operation: "groups.assignRole" | "groups.unassignRole",
    verb: "assignRole" | "unassignRole",
    groupId: RobloxId,
    userId: RobloxId,
    roleId: RobloxId,
  ): Promise<GroupMembership> {
    const group = toId(groupId, "groupId");
    const user = toId(userId, "userId");
    return this.caller.call({
      operation,
      host: "openCloud",
      method: "POST",
      path: `/cloud/v2/groups/${group}/memberships/${user}:${verb}`,
      body: { role: `groups/${group}/roles/${toId(roleId, "roleId")}` },
      key: this.key,
      schema: membershipSchema,
    });
  }
}

function membershipFilter(groupId: string, filter: MembershipFilter): string | undefined {
  if (filter.userId !== undefined && filter.roleId !== undefined) {
    throw new RangeError("filter memberships by user or by role, not both");
  }
  if (filter.userId !== undefined) return `user == 'users/${toId(filter.userId, "userId")}'`;
  if (filter.roleId !== undefined) return `role == 'groups/${groupId}/roles/${toId(filter.roleId, "roleId")}'`;
  return undefined;
}
