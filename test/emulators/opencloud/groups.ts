/**
 * Groups: the group itself, join requests (list, accept, decline),
 * memberships (list, ranking through PATCH, assignRole, unassignRole) and
 * roles. Acting on requests and ranks needs more than a scope: the key's owner
 * must be allowed in the group, as the spec describes for each method.
 */
import { z } from "zod";
import { invalidArgument, LegacyError, notFound, permissionDenied } from "./errors.js";
import { parseFilter } from "./filters.js";
import { ok, requireBody, type CloudRequest, type CloudRoute, type RouteDeps } from "./router.js";
import {
  iso,
  ROLE_PERMISSION_NAMES,
  type ApiKeyRecord,
  type EmulatorState,
  type GroupRecord,
  type MembershipRecord,
  type RoleRecord,
} from "./state.js";
import { grants } from "./apiKeys.js";
import { allowOnlyParams, parseBody } from "./validation.js";

const MAX_JOIN_REQUEST_PAGE = 20;
const MAX_MEMBERSHIP_PAGE = 100;
const MAX_ROLE_PAGE = 20;
/** The audit log's page sizes: the specification's enum. */
const AUDIT_LOG_LIMITS = ["10", "25", "50", "100"];
const GUEST_RANK = 0;
const OWNER_RANK = 255;

const emptyBody = z.strictObject({});
const roleBody = z.strictObject({ role: z.string() });
const membershipBody = z.strictObject({
  path: z.string().optional(),
  createTime: z.string().optional(),
  updateTime: z.string().optional(),
  user: z.string().optional(),
  role: z.string(),
  roles: z.array(z.string()).optional(),
});

/** A membership id is opaque (base64url of the user id); the user id itself may stand in for it. */
export const membershipIdOf = (userId: string) => Buffer.from(userId).toString("base64url");

function userIdOfMembership(membershipId: string): string {
  if (/^[1-9]\d*$/.test(membershipId)) return membershipId;
  const decoded = Buffer.from(membershipId, "base64url").toString();
  if (!/^[1-9]\d*$/.test(decoded) || membershipIdOf(decoded) !== membershipId) {
    throw invalidArgument(`Invalid membership id "${membershipId}".`);
  }
  return decoded;
}

type Authority = { kind: "full" } | { kind: "member"; rank: number; permissions: Record<string, boolean> } | { kind: "none" };

export class Groups {
  constructor(
    private readonly state: EmulatorState,
    private readonly now: () => number,
  ) {}

  routes(deps: RouteDeps): CloudRoute[] {
    const group = "/cloud/v2/groups/(?<groupId>[^/:]+)";
    const scope = (required: string) => (params: Record<string, string>) => ({
      required,
      target: { groupId: params.groupId },
    });
    return [
      {
        method: "GET",
        pattern: new RegExp(`^${group}$`),
        operation: "groups.get",
        write: false,
        handle: (request) => this.getGroup(request),
      },
      {
        method: "GET",
        pattern: new RegExp(`^${group}/join-requests$`),
        operation: "groups.listJoinRequests",
        write: false,
        scope: scope("group:read"),
        handle: (request) => this.listJoinRequests(deps, request),
      },
      ...(["accept", "decline"] as const).map(
        (verb): CloudRoute => ({
          method: "POST",
          pattern: new RegExp(`^${group}/join-requests/(?<userId>[^/:]+):${verb}$`),
          operation: verb === "accept" ? "groups.acceptJoinRequest" : "groups.declineJoinRequest",
          write: true,
          scope: scope("group:write"),
          handle: (request) => this.settleJoinRequest(request, verb),
        }),
      ),
      {
        method: "GET",
        pattern: new RegExp(`^${group}/memberships$`),
        operation: "groups.listMemberships",
        write: false,
        handle: (request) => this.listMemberships(deps, request),
      },
      {
        method: "PATCH",
        pattern: new RegExp(`^${group}/memberships/(?<membershipId>[^/:]+)$`),
        operation: "groups.updateMembership",
        write: true,
        scope: scope("group:write"),
        handle: (request) => this.changeRoles(request, "replace"),
      },
      ...(["assignRole", "unassignRole"] as const).map(
        (verb): CloudRoute => ({
          method: "POST",
          pattern: new RegExp(`^${group}/memberships/(?<membershipId>[^/:]+):${verb}$`),
          operation: verb === "assignRole" ? "groups.assignRole" : "groups.unassignRole",
          write: true,
          scope: scope("group:write"),
          handle: (request) => this.changeRoles(request, verb === "assignRole" ? "assign" : "unassign"),
        }),
      ),
      {
        method: "GET",
        pattern: /^\/legacy-groups\/v1\/groups\/(?<groupId>[^/:]+)\/audit-log$/,
        operation: "groups.auditLog",
        write: false,
        // The scope is checked by the handler: this legacy surface refuses in its own error shape.
        handle: (request) => this.auditLog(request),
      },
      {
        method: "GET",
        pattern: new RegExp(`^${group}/roles$`),
        operation: "groups.listRoles",
        write: false,
        handle: (request) => this.listRoles(deps, request),
      },
      {
        method: "GET",
        pattern: new RegExp(`^${group}/roles/(?<roleId>[^/:]+)$`),
        operation: "groups.getRole",
        write: false,
        handle: (request) => this.getRole(request),
      },
    ];
  }

  /** What the key's owner may do in the group: a group's own key and the group owner may do anything. */
  private authorityOf(key: ApiKeyRecord, group: GroupRecord): Authority {
    if (key.ownerType === "Group") return key.ownerId === group.id ? { kind: "full" } : { kind: "none" };
    if (group.ownerId === key.ownerId) return { kind: "full" };
    const membership = this.state.membersOf(group.id).get(key.ownerId);
    if (membership === undefined) return { kind: "none" };
    const roles = this.rolesOf(group, membership);
    const permissions: Record<string, boolean> = {};
    for (const role of roles) {
      for (const [name, allowed] of Object.entries(role.permissions)) permissions[name] = permissions[name] === true || allowed;
    }
    return { kind: "member", rank: Math.max(...roles.map((role) => role.rank)), permissions };
  }

  private requirePermission(key: ApiKeyRecord, group: GroupRecord, permission: string): Authority {
    const authority = this.authorityOf(key, group);
    if (authority.kind === "full") return authority;
    if (authority.kind === "member" && authority.permissions[permission] === true) return authority;
    throw permissionDenied(`The API key's owner lacks the ${permission} permission in group ${group.id}.`);
  }

  private rolesOf(group: GroupRecord, membership: MembershipRecord): RoleRecord[] {
    return group.roles.filter((role) => membership.roleIds.includes(role.id));
  }

  private groupJson(group: GroupRecord) {
    return {
      path: `groups/${group.id}`,
      createTime: group.createTime,
      updateTime: group.createTime,
      id: group.id,
      displayName: group.displayName,
      description: group.description,
      ...(group.ownerId === undefined ? {} : { owner: `users/${group.ownerId}` }),
      memberCount: this.state.membersOf(group.id).size,
      publicEntryAllowed: group.publicEntryAllowed,
      locked: group.locked,
      verified: group.verified,
    };
  }

  private membershipJson(group: GroupRecord, membership: MembershipRecord) {
    const roles = this.rolesOf(group, membership);
    const highest = roles.reduce<RoleRecord | undefined>((best, role) => (best === undefined || role.rank > best.rank ? role : best), undefined);
    return {
      path: `groups/${group.id}/memberships/${membershipIdOf(membership.userId)}`,
      createTime: membership.createTime,
      updateTime: membership.updateTime,
      user: `users/${membership.userId}`,
      ...(highest === undefined ? {} : { role: `groups/${group.id}/roles/${highest.id}` }),
      roles: roles.map((role) => `groups/${group.id}/roles/${role.id}`),
    };
  }

  /**
   * Permissions show per the spec: a guest role's to anyone; with `group:read`,
   * the requester's own roles' to a member and every role's to the owner.
   * Description and times are for owners only.
   */
  private roleJson(group: GroupRecord, role: RoleRecord, key: ApiKeyRecord) {
    const authority = this.authorityOf(key, group);
    const canRead = grants(key, "group:read", { groupId: group.id });
    const ownRole =
      key.ownerType === "User" && this.state.membersOf(group.id).get(key.ownerId)?.roleIds.includes(role.id) === true;
    const isOwner = canRead && authority.kind === "full";
    const showPermissions = role.rank === GUEST_RANK || isOwner || (canRead && ownRole);
    const members = [...this.state.membersOf(group.id).values()].filter((member) => member.roleIds.includes(role.id));
    return {
      path: `groups/${group.id}/roles/${role.id}`,
      ...(isOwner ? { createTime: group.createTime, updateTime: group.createTime } : {}),
      id: role.id,
      displayName: role.displayName,
      ...(isOwner ? { description: role.description } : {}),
      rank: role.rank,
      ...(role.rank === GUEST_RANK ? {} : { memberCount: members.length }),
      ...(showPermissions
        ? { permissions: Object.fromEntries(ROLE_PERMISSION_NAMES.map((name) => [name, role.permissions[name] === true])) }
        : {}),
    };
  }

  private getGroup(request: CloudRequest) {
    allowOnlyParams(request.query, []);
    return ok(this.groupJson(this.state.requireGroup(request.params.groupId ?? "")));
  }

  private listJoinRequests(deps: RouteDeps, request: CloudRequest) {
    allowOnlyParams(request.query, ["maxPageSize", "pageToken", "filter"]);
    const group = this.state.requireGroup(request.params.groupId ?? "");
    this.requirePermission(request.key, group, "acceptRequests");
    const filter = parseFilter(request.query.get("filter"), { fields: { user: /^users\/[1-9]\d*$/ }, allowAnd: false });
    const requests = [...this.state.joinRequestsOf(group.id).values()].filter(
      (joinRequest) => filter.user === undefined || `users/${joinRequest.userId}` === filter.user,
    );
    const page = deps.paginator.paginate(`groups/${group.id}/join-requests`, request.query, requests, MAX_JOIN_REQUEST_PAGE);
    return ok({
      groupJoinRequests: page.items.map((joinRequest) => ({
        path: `groups/${group.id}/join-requests/${joinRequest.userId}`,
        createTime: joinRequest.createTime,
        user: `users/${joinRequest.userId}`,
      })),
      ...(page.nextPageToken === undefined ? {} : { nextPageToken: page.nextPageToken }),
    });
  }

  private settleJoinRequest(request: CloudRequest, verb: "accept" | "decline") {
    allowOnlyParams(request.query, []);
    parseBody(emptyBody, requireBody(request.body));
    const group = this.state.requireGroup(request.params.groupId ?? "");
    this.requirePermission(request.key, group, "acceptRequests");
    const userId = request.params.userId ?? "";
    const requests = this.state.joinRequestsOf(group.id);
    if (!requests.has(userId)) throw notFound(`Join request groups/${group.id}/join-requests/${userId} not found.`);
    requests.delete(userId);
    this.state.audit(group.id, request.key.ownerId, verb === "accept" ? "AcceptJoinRequest" : "DeclineJoinRequest", userId);
    if (verb === "accept") {
      const entryRole = group.roles.find((role) => role.rank > GUEST_RANK && role.rank < OWNER_RANK);
      if (entryRole === undefined) throw invalidArgument(`Group ${group.id} has no role to join as.`);
      const time = iso(this.now());
      this.state.membersOf(group.id).set(userId, { userId, roleIds: [entryRole.id], createTime: time, updateTime: time });
    }
    return ok({});
  }

  private listMemberships(deps: RouteDeps, request: CloudRequest) {
    allowOnlyParams(request.query, ["maxPageSize", "pageToken", "filter"]);
    const group = this.state.requireGroup(request.params.groupId ?? "");
    const filter = parseFilter(request.query.get("filter"), {
      fields: { user: /^users\/[1-9]\d*$/, role: /^groups\/[1-9]\d*\/roles\/[1-9]\d*$/ },
      allowAnd: false,
    });
    const memberships = [...this.state.membersOf(group.id).values()].filter(
      (membership) =>
        (filter.user === undefined || `users/${membership.userId}` === filter.user) &&
        (filter.role === undefined ||
          membership.roleIds.some((roleId) => `groups/${group.id}/roles/${roleId}` === filter.role)),
    );
    const page = deps.paginator.paginate(`groups/${group.id}/memberships`, request.query, memberships, MAX_MEMBERSHIP_PAGE);
    return ok({
      groupMemberships: page.items.map((membership) => this.membershipJson(group, membership)),
      ...(page.nextPageToken === undefined ? {} : { nextPageToken: page.nextPageToken }),
    });
  }

  private resolveRole(group: GroupRecord, rolePath: string): RoleRecord {
    const match = /^groups\/([1-9]\d*)\/roles\/([1-9]\d*)$/.exec(rolePath);
    if (match === null) throw invalidArgument(`Invalid role "${rolePath}": expected groups/{groupId}/roles/{roleId}.`);
    if (match[1] !== group.id) throw invalidArgument(`Role "${rolePath}" is not a role of group ${group.id}.`);
    const role = group.roles.find((candidate) => candidate.id === match[2]);
    if (role === undefined) throw notFound(`Role ${rolePath} not found.`);
    return role;
  }

  /**
   * The spec: Guest and Owner cannot be assigned, nobody changes their own
   * rank, and a requester manages only members ranked below them (needing
   * the changeRank permission unless they own the group).
   */
  private changeRoles(request: CloudRequest, mode: "replace" | "assign" | "unassign") {
    allowOnlyParams(request.query, []);
    const rawBody = requireBody(request.body);
    const rolePath = mode === "replace" ? parseBody(membershipBody, rawBody).role : parseBody(roleBody, rawBody).role;
    const group = this.state.requireGroup(request.params.groupId ?? "");
    const userId = userIdOfMembership(request.params.membershipId ?? "");
    const membership = this.state.membersOf(group.id).get(userId);
    if (membership === undefined) {
      throw notFound(`Membership groups/${group.id}/memberships/${request.params.membershipId ?? ""} not found.`);
    }
    const role = this.resolveRole(group, rolePath);
    if (role.rank === GUEST_RANK || role.rank === OWNER_RANK) {
      throw invalidArgument("The Guest and Owner roles cannot be assigned or unassigned.");
    }
    if (request.key.ownerType === "User" && request.key.ownerId === userId) {
      throw permissionDenied("A requester cannot change their own rank.");
    }
    const authority = this.requirePermission(request.key, group, "changeRank");
    if (authority.kind === "member") {
      const targetRank = Math.max(...this.rolesOf(group, membership).map((held) => held.rank));
      if (authority.rank <= targetRank || authority.rank <= role.rank) {
        throw permissionDenied("The requester can only manage members and roles ranked below their own.");
      }
    }
    const actor = request.key.ownerId;
    const before = this.rolesOf(group, membership).reduce<RoleRecord | undefined>((best, held) => (best === undefined || held.rank > best.rank ? held : best), undefined);
    if (mode === "replace") {
      membership.roleIds = [role.id];
      this.state.audit(group.id, actor, "ChangeRank", userId, {
        OldRoleSetId: Number(before?.id ?? 0),
        NewRoleSetId: Number(role.id),
        OldRoleSetName: before?.displayName ?? "",
        NewRoleSetName: role.displayName,
      });
    }
    else if (mode === "assign" && !membership.roleIds.includes(role.id)) {
      membership.roleIds.push(role.id);
      this.state.audit(group.id, actor, "AssignRole", userId, { RoleSetId: Number(role.id), RoleSetName: role.displayName });
    } else if (mode === "unassign" && membership.roleIds.includes(role.id)) {
      // A member always holds a role; dropping the last one would make them a guest, which the API cannot assign.
      if (membership.roleIds.length === 1) throw invalidArgument("A member must keep at least one role.");
      membership.roleIds = membership.roleIds.filter((held) => held !== role.id);
      this.state.audit(group.id, actor, "UnassignRole", userId, { RoleSetId: Number(role.id), RoleSetName: role.displayName });
    }
    membership.updateTime = iso(this.now());
    return ok(this.membershipJson(group, membership));
  }

  /**
   * The legacy audit log: `legacy-group:manage`, and the viewAuditLog
   * permission in the group; pages by an opaque cursor, `limit` one of the
   * spec's sizes, oldest first unless `sortOrder=Desc`.
   */
  private auditLog(request: CloudRequest) {
    const group = this.state.groups.get(request.params.groupId ?? "");
    if (group === undefined) throw new LegacyError(400, 1, "Group is invalid or does not exist.");
    if (!grants(request.key, "legacy-group:manage", { groupId: group.id })) {
      throw new LegacyError(403, 23, "Insufficient permissions to complete the request.");
    }
    const authority = this.authorityOf(request.key, group);
    if (authority.kind === "none" || (authority.kind === "member" && authority.permissions.viewAuditLog !== true)) {
      throw new LegacyError(403, 23, "Insufficient permissions to complete the request.");
    }
    const { query } = request;
    const limit = query.get("limit") ?? "10";
    const sortOrder = query.get("sortOrder") ?? "Asc";
    const cursor = query.get("cursor");
    if (!AUDIT_LOG_LIMITS.includes(limit) || !["Asc", "Desc"].includes(sortOrder) || (cursor !== null && !/^\d+$/.test(cursor))) {
      throw new LegacyError(400, 8, "Invalid or missing pagination parameters");
    }
    const actionType = query.get("actionType");
    const actor = query.get("userId");
    const all = (this.state.auditLogs.get(group.id) ?? []).filter(
      (entry) => (actionType === null || entry.actionType === actionType) && (actor === null || entry.actorUserId === actor),
    );
    const ordered = sortOrder === "Desc" ? [...all].reverse() : all;
    const start = cursor === null ? 0 : Number(cursor);
    const page = ordered.slice(start, start + Number(limit));
    const next = start + page.length < ordered.length ? String(start + page.length) : null;
    return ok({
      previousPageCursor: start > 0 ? String(Math.max(0, start - Number(limit))) : null,
      nextPageCursor: next,
      data: page.map((entry) => {
        const actorRole = this.state.membersOf(group.id).get(entry.actorUserId);
        const role = actorRole === undefined ? undefined : this.rolesOf(group, actorRole).sort((a, b) => b.rank - a.rank)[0];
        return {
          actor: {
            user: { hasVerifiedBadge: false, userId: Number(entry.actorUserId), username: this.state.users.get(entry.actorUserId)?.name ?? "", displayName: this.state.users.get(entry.actorUserId)?.name ?? "" },
            ...(role === undefined ? {} : { role: { id: Number(role.id), name: role.displayName, rank: role.rank } }),
          },
          actionType: entry.actionType,
          description: entry.description,
          created: entry.created,
        };
      }),
    });
  }

  private listRoles(deps: RouteDeps, request: CloudRequest) {
    allowOnlyParams(request.query, ["maxPageSize", "pageToken"]);
    const group = this.state.requireGroup(request.params.groupId ?? "");
    const page = deps.paginator.paginate(`groups/${group.id}/roles`, request.query, group.roles, MAX_ROLE_PAGE);
    return ok({
      groupRoles: page.items.map((role) => this.roleJson(group, role, request.key)),
      ...(page.nextPageToken === undefined ? {} : { nextPageToken: page.nextPageToken }),
    });
  }

  private getRole(request: CloudRequest) {
    allowOnlyParams(request.query, []);
    const group = this.state.requireGroup(request.params.groupId ?? "");
    const role = group.roles.find((candidate) => candidate.id === request.params.roleId);
    if (role === undefined) throw notFound(`Role groups/${group.id}/roles/${request.params.roleId ?? ""} not found.`);
    return ok(this.roleJson(group, role, request.key));
  }
}
