import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { membershipIdOf, type OpenCloudEmulator } from "./index.js";
import {
  FULL_KEY,
  GROUP,
  GUEST_ROLE,
  MEMBER_ROLE,
  MODERATOR,
  OFFICER_ROLE,
  OTHER_PLAYER,
  OWNER,
  OWNER_ROLE,
  PLAYER,
  STRANGER,
  call,
  startWorld,
} from "./fixtures.js";

describe("groups", () => {
  let emulator: OpenCloudEmulator;
  beforeEach(async () => {
    emulator = await startWorld();
  });
  afterEach(() => emulator.close());

  const request = (method: string, path: string, options: { key?: string; query?: Record<string, string>; body?: unknown } = {}) =>
    call(emulator.openCloudUrl, method, `/cloud/v2/groups/${GROUP}${path}`, { key: FULL_KEY, ...options });

  it("gets the group", async () => {
    const answer = await request("GET", "");
    expect(answer.json).toMatchObject({
      path: `groups/${GROUP}`,
      id: GROUP,
      displayName: "Warden Group",
      owner: `users/${OWNER}`,
      memberCount: 1,
      locked: false,
    });
    expect((await call(emulator.openCloudUrl, "GET", "/cloud/v2/groups/424242", { key: FULL_KEY })).status).toBe(404);
  });

  describe("join requests", () => {
    beforeEach(() => {
      emulator.addJoinRequest({ groupId: GROUP, userId: PLAYER, createTime: "2026-01-01T00:00:00Z" });
      emulator.addJoinRequest({ groupId: GROUP, userId: OTHER_PLAYER });
    });

    it("lists them with full paths", async () => {
      const answer = await request("GET", "/join-requests");
      expect(answer.json.groupJoinRequests).toEqual([
        { path: `groups/${GROUP}/join-requests/${PLAYER}`, createTime: "2026-01-01T00:00:00Z", user: `users/${PLAYER}` },
        expect.objectContaining({ user: `users/${OTHER_PLAYER}` }),
      ]);
    });

    it("filters by user only", async () => {
      const answer = await request("GET", "/join-requests", { query: { filter: `user == 'users/${OTHER_PLAYER}'` } });
      expect(answer.json.groupJoinRequests).toEqual([expect.objectContaining({ user: `users/${OTHER_PLAYER}` })]);
      for (const filter of [`role == 'groups/${GROUP}/roles/${MEMBER_ROLE}'`, `user == 'users/1' && user == 'users/2'`, "user = 'users/1'"]) {
        expect((await request("GET", "/join-requests", { query: { filter } })).status, filter).toBe(400);
      }
    });

    it("accepts: the player becomes a member, and the request is gone (404 after)", async () => {
      const accepted = await request("POST", `/join-requests/${PLAYER}:accept`, { body: {} });
      expect(accepted.status).toBe(200);
      expect(emulator.members(GROUP)).toContainEqual({ userId: PLAYER, roleId: MEMBER_ROLE, roleIds: [MEMBER_ROLE] });
      expect(emulator.joinRequests(GROUP).map((joinRequest) => joinRequest.userId)).toEqual([OTHER_PLAYER]);
      const again = await request("POST", `/join-requests/${PLAYER}:accept`, { body: {} });
      expect(again.status).toBe(404);
      expect(again.json.code).toBe("NOT_FOUND");
    });

    it("declines without adding a member", async () => {
      expect((await request("POST", `/join-requests/${OTHER_PLAYER}:decline`, { body: {} })).status).toBe(200);
      expect(emulator.members(GROUP).map((member) => member.userId)).toEqual([OWNER]);
      expect((await request("POST", `/join-requests/${OTHER_PLAYER}:decline`, { body: {} })).status).toBe(404);
    });

    it("wants the documented empty body", async () => {
      expect((await request("POST", `/join-requests/${PLAYER}:accept`)).status).toBe(400);
      expect((await request("POST", `/join-requests/${PLAYER}:accept`, { body: { reason: "hi" } })).status).toBe(400);
      expect(emulator.joinRequests(GROUP)).toHaveLength(2);
    });

    it("needs the key's owner to be allowed to accept requests in the group", async () => {
      emulator.addApiKey({ key: "stranger", ownerId: STRANGER, scopes: [{ name: "group", operations: ["read", "write"] }] });
      const answer = await request("POST", `/join-requests/${PLAYER}:accept`, { key: "stranger", body: {} });
      expect(answer.status).toBe(403);
      emulator.addMembership({ groupId: GROUP, userId: STRANGER, roleId: OFFICER_ROLE });
      expect((await request("POST", `/join-requests/${PLAYER}:accept`, { key: "stranger", body: {} })).status).toBe(200);
    });
  });

  describe("memberships and roles", () => {
    beforeEach(() => {
      emulator.addMembership({ groupId: GROUP, userId: PLAYER, roleId: MEMBER_ROLE });
      emulator.addMembership({ groupId: GROUP, userId: MODERATOR, roleId: OFFICER_ROLE });
    });

    it("lists memberships with opaque ids and role paths, filtered by user or role", async () => {
      const answer = await request("GET", "/memberships", { query: { filter: `user == 'users/${PLAYER}'` } });
      expect(answer.json.groupMemberships).toEqual([
        expect.objectContaining({
          path: `groups/${GROUP}/memberships/${membershipIdOf(PLAYER)}`,
          user: `users/${PLAYER}`,
          role: `groups/${GROUP}/roles/${MEMBER_ROLE}`,
          roles: [`groups/${GROUP}/roles/${MEMBER_ROLE}`],
        }),
      ]);
      const officers = await request("GET", "/memberships", { query: { filter: `role == 'groups/${GROUP}/roles/${OFFICER_ROLE}'` } });
      expect((officers.json.groupMemberships as { user: string }[]).map((membership) => membership.user)).toEqual([`users/${MODERATOR}`]);
      expect((await request("GET", "/memberships", { query: { filter: `rank == '1'` } })).status).toBe(400);
    });

    it("ranks with PATCH, by membership id or user id", async () => {
      const answer = await request("PATCH", `/memberships/${membershipIdOf(PLAYER)}`, { body: { role: `groups/${GROUP}/roles/${OFFICER_ROLE}` } });
      expect(answer.status).toBe(200);
      expect(answer.json.role).toBe(`groups/${GROUP}/roles/${OFFICER_ROLE}`);
      await request("PATCH", `/memberships/${PLAYER}`, { body: { role: `groups/${GROUP}/roles/${MEMBER_ROLE}` } });
      expect(emulator.members(GROUP)).toContainEqual({ userId: PLAYER, roleId: MEMBER_ROLE, roleIds: [MEMBER_ROLE] });
    });

    it("assigns and unassigns roles", async () => {
      const assigned = await request("POST", `/memberships/${PLAYER}:assignRole`, { body: { role: `groups/${GROUP}/roles/${OFFICER_ROLE}` } });
      expect(assigned.json).toMatchObject({
        role: `groups/${GROUP}/roles/${OFFICER_ROLE}`,
        roles: [`groups/${GROUP}/roles/${MEMBER_ROLE}`, `groups/${GROUP}/roles/${OFFICER_ROLE}`],
      });
      const unassigned = await request("POST", `/memberships/${PLAYER}:unassignRole`, { body: { role: `groups/${GROUP}/roles/${MEMBER_ROLE}` } });
      expect(unassigned.json.roles).toEqual([`groups/${GROUP}/roles/${OFFICER_ROLE}`]);
      const last = await request("POST", `/memberships/${PLAYER}:unassignRole`, { body: { role: `groups/${GROUP}/roles/${OFFICER_ROLE}` } });
      expect(last.status).toBe(400);
    });

    it("refuses Guest and Owner, malformed roles, unknown roles and non-members", async () => {
      for (const role of [GUEST_ROLE, OWNER_ROLE]) {
        expect((await request("PATCH", `/memberships/${PLAYER}`, { body: { role: `groups/${GROUP}/roles/${role}` } })).status).toBe(400);
      }
      expect((await request("PATCH", `/memberships/${PLAYER}`, { body: { role: OFFICER_ROLE } })).status).toBe(400);
      expect((await request("PATCH", `/memberships/${PLAYER}`, { body: { role: `groups/8/roles/${OFFICER_ROLE}` } })).status).toBe(400);
      expect((await request("PATCH", `/memberships/${PLAYER}`, { body: { role: `groups/${GROUP}/roles/999` } })).status).toBe(404);
      expect((await request("PATCH", `/memberships/${STRANGER}`, { body: { role: `groups/${GROUP}/roles/${OFFICER_ROLE}` } })).status).toBe(404);
      expect((await request("PATCH", `/memberships/not-an-id`, { body: { role: `groups/${GROUP}/roles/${OFFICER_ROLE}` } })).status).toBe(400);
    });

    it("lets a requester manage only members and roles below their own rank, never their own", async () => {
      emulator.addApiKey({ key: "officer", ownerId: MODERATOR, scopes: [{ name: "group", operations: ["read", "write"] }] });
      const officerRole = `groups/${GROUP}/roles/${OFFICER_ROLE}`;
      const own = await request("PATCH", `/memberships/${MODERATOR}`, { key: "officer", body: { role: `groups/${GROUP}/roles/${MEMBER_ROLE}` } });
      expect(own.status).toBe(403);
      expect((await request("PATCH", `/memberships/${PLAYER}`, { key: "officer", body: { role: officerRole } })).status).toBe(403);
      const memberOnly = await request("POST", `/memberships/${PLAYER}:unassignRole`, { key: "officer", body: { role: officerRole } });
      expect(memberOnly.status).toBe(403);
    });

    it("lists and gets roles, showing permissions per the spec", async () => {
      const asOwner = await request("GET", "/roles");
      const roles = asOwner.json.groupRoles as Record<string, unknown>[];
      expect(roles.map((role) => role.rank)).toEqual([0, 1, 100, 255]);
      expect(roles[2]).toMatchObject({
        path: `groups/${GROUP}/roles/${OFFICER_ROLE}`,
        id: OFFICER_ROLE,
        displayName: "Officer",
        memberCount: 1,
        permissions: expect.objectContaining({ changeRank: true, acceptRequests: true, banMembers: false }),
      });
      expect(roles[0]).not.toHaveProperty("memberCount");
      emulator.addApiKey({ key: "plain", ownerId: STRANGER, scopes: [] });
      const asStranger = (await request("GET", "/roles", { key: "plain" })).json.groupRoles as Record<string, unknown>[];
      expect(asStranger[0]).toHaveProperty("permissions.viewWallPosts", true);
      expect(asStranger[2]).not.toHaveProperty("permissions");
      const one = await request("GET", `/roles/${MEMBER_ROLE}`);
      expect(one.json).toMatchObject({ id: MEMBER_ROLE, rank: 1 });
      expect((await request("GET", "/roles/999")).status).toBe(404);
      expect((await request("GET", "/roles", { query: { maxPageSize: "500" } })).json.groupRoles).toHaveLength(4);
    });
  });

  describe("audit log", () => {
    const AUDIT_KEY = "audit-key-of-1001";
    interface AuditPage {
      data: { actionType: string; actor: unknown; description: unknown }[];
      nextPageCursor: string | null;
    }
    const auditLog = (query: Record<string, string> = {}, key = AUDIT_KEY) =>
      call(emulator.openCloudUrl, "GET", `/legacy-groups/v1/groups/${GROUP}/audit-log`, { key, query });
    const pageOf = async (query: Record<string, string>) => (await auditLog(query)).json as unknown as AuditPage;

    beforeEach(() => {
      emulator.addApiKey({ key: AUDIT_KEY, ownerId: OWNER, scopes: [{ name: "group", operations: ["read", "write"], groupIds: [GROUP] }, { name: "legacy-group", operations: ["manage"] }] });
      emulator.addMembership({ groupId: GROUP, userId: PLAYER, roleId: MEMBER_ROLE });
    });

    it("records Open Cloud's role changes and the website's rank changes, with their actor, and pages by cursor", async () => {
      await request("POST", `/memberships/${PLAYER}:assignRole`, { body: { role: `groups/${GROUP}/roles/${OFFICER_ROLE}` } });
      await request("POST", `/memberships/${PLAYER}:unassignRole`, { body: { role: `groups/${GROUP}/roles/${MEMBER_ROLE}` } });
      emulator.rankOnWebsite({ groupId: GROUP, userId: PLAYER, roleId: MEMBER_ROLE, actorId: OWNER });
      const first = await pageOf({ limit: "10", sortOrder: "Desc" });
      expect(first.data.map((entry) => entry.actionType)).toEqual(["ChangeRank", "UnassignRole", "AssignRole"]);
      expect(first.data[0]).toMatchObject({
        actor: { user: { userId: Number(OWNER) } },
        description: { TargetId: Number(PLAYER), OldRoleSetId: Number(OFFICER_ROLE), NewRoleSetId: Number(MEMBER_ROLE) },
      });
      expect(first.data[2]?.description).toMatchObject({ TargetId: Number(PLAYER), RoleSetId: Number(OFFICER_ROLE) });
      for (let i = 0; i < 10; i += 1) emulator.rankOnWebsite({ groupId: GROUP, userId: PLAYER, roleId: MEMBER_ROLE, actorId: OWNER });
      const paged = await pageOf({ limit: "10" });
      expect(paged.data).toHaveLength(10);
      const rest = await pageOf({ limit: "10", cursor: paged.nextPageCursor ?? "" });
      expect(rest.data).toHaveLength(3);
      expect(rest.nextPageCursor).toBeNull();
    });

    it("records a removal, a ban and an unban made on the website, each with its actor and target, filterable by action type", async () => {
      emulator.removeOnWebsite({ groupId: GROUP, userId: PLAYER, actorId: OWNER });
      expect(emulator.members(GROUP).map((member) => member.userId)).not.toContain(PLAYER);
      emulator.addMembership({ groupId: GROUP, userId: PLAYER, roleId: MEMBER_ROLE });
      emulator.banFromGroupOnWebsite({ groupId: GROUP, userId: PLAYER, actorId: OWNER });
      expect(emulator.members(GROUP).map((member) => member.userId)).not.toContain(PLAYER);
      expect(() => emulator.banFromGroupOnWebsite({ groupId: GROUP, userId: PLAYER, actorId: OWNER })).toThrow(/already banned/);
      emulator.banFromGroupOnWebsite({ groupId: GROUP, userId: PLAYER, actorId: OWNER, active: false });
      expect(() => emulator.banFromGroupOnWebsite({ groupId: GROUP, userId: PLAYER, actorId: OWNER, active: false })).toThrow(/not banned/);

      const page = await pageOf({ limit: "10", sortOrder: "Desc" });
      expect(page.data.map((entry) => entry.actionType)).toEqual(["UnbanMember", "BanMember", "RemoveMember"]);
      for (const entry of page.data) {
        expect(entry).toMatchObject({ actor: { user: { userId: Number(OWNER) } }, description: { TargetId: Number(PLAYER) } });
      }
      const bans = await pageOf({ limit: "10", actionType: "BanMember" });
      expect(bans.data.map((entry) => entry.actionType)).toEqual(["BanMember"]);
    });

    it("refuses a key without legacy-group:manage and a page size outside the spec's, in the legacy shape", async () => {
      const refused = await auditLog({}, FULL_KEY);
      expect(refused.status).toBe(403);
      expect(refused.json).toEqual({ errors: [{ code: 23, message: "Insufficient permissions to complete the request." }] });
      const badLimit = await auditLog({ limit: "20" });
      expect(badLimit.status).toBe(400);
      expect(badLimit.json).toMatchObject({ errors: [{ code: 8 }] });
    });
  });
});
