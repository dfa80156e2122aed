import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidArgumentError, NotFoundError, PermissionDeniedError, UnauthenticatedError, missingScopes, userMessage } from "../../src/opencloud/index.js";
import { BARE_KEY, FULL_KEY, GROUP, type Harness, MEMBER_ROLE, OFFICER_ROLE, OWNER, PLAYER, READ_KEY, UNIVERSE, addPlayers, rejectionOf, startHarness } from "./harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe("users", () => {
  it("reads the public profile and the scope-gated fields the key may see", async () => {
    const user = await h.client.withKey(FULL_KEY).users.get(PLAYER);
    expect(user).toMatchObject({ id: PLAYER, name: "Builderman", displayName: "Builder", premium: true });
    expect(user.createTime?.toISOString()).toBe("2006-02-27T21:06:40.000Z");
    expect(user.idVerified).toEqual({ value: true, mayBeHidden: false });
    expect(user.socialNetworkProfiles).toMatchObject({ value: { twitch: "builderman", visibility: "EVERYONE" }, mayBeHidden: false });
  });

  it("says false may only mean 'not allowed to know' without the scopes", async () => {
    const user = await h.client.withKey(BARE_KEY).users.get(PLAYER);
    expect(user.idVerified).toEqual({ value: false, mayBeHidden: true });
    expect(user.socialNetworkProfiles.mayBeHidden).toBe(true);
  });

  it("generates a thumbnail, polling the long-running operation until done", async () => {
    const uri = await h.client.withKey(FULL_KEY).users.generateThumbnail(PLAYER, { size: 150, format: "PNG", shape: "SQUARE" });
    expect(uri).toMatch(/^https:\/\/tr\.rbxcdn\.com\/.*square\/150\/150/);
    const paths = h.oc.calls.map((call) => call.path);
    expect(paths[0]).toBe(`/cloud/v2/users/${PLAYER}:generateThumbnail`);
    expect(paths.slice(1).every((path) => path.startsWith(`/cloud/v2/users/${PLAYER}/operations/`))).toBe(true);
    expect(paths.length).toBeGreaterThan(1);
    expect(h.oc.calls[0]?.query).toEqual({ size: "150", format: "PNG", shape: "SQUARE" });
  });

  it("gives up on an operation that never finishes", async () => {
    const slow = await startHarness({ emulator: { thumbnailPollsUntilDone: 1_000 } });
    try {
      const error = await rejectionOf(slow.client.withKey(FULL_KEY).users.generateThumbnail(PLAYER));
      expect(error).toMatchObject({ reason: "timeout" });
      expect(slow.oc.calls).toHaveLength(9);
    } finally {
      await slow.close();
    }
  });

  it("404s an unknown player", async () => {
    const error = await rejectionOf(h.client.withKey(FULL_KEY).users.get("999999"));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(userMessage(error)).toBe("Roblox has no player with that id.");
  });
});

describe("universes", () => {
  it("reads an experience and checks a place belongs to it", async () => {
    const keyed = h.client.withKey(FULL_KEY);
    const universe = await keyed.universes.get(UNIVERSE);
    expect(universe).toMatchObject({ id: UNIVERSE, displayName: "Warden Test Place", ownerUserId: OWNER, rootPlaceId: "10" });
    expect(await keyed.universes.getPlace(UNIVERSE, "11")).toMatchObject({ id: "11", universeId: UNIVERSE, root: false });
    await expect(keyed.universes.getPlace(UNIVERSE, "12")).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("groups", () => {
  const groups = () => h.client.withKey(FULL_KEY).groups;

  it("gets a group", async () => {
    expect(await groups().get(GROUP)).toMatchObject({ id: GROUP, displayName: "Warden Testers", ownerId: OWNER, memberCount: 1 });
  });

  it("lists join requests 20 to a page at most, to the last page", async () => {
    for (const userId of addPlayers(h.oc, 45)) h.oc.addJoinRequest({ groupId: GROUP, userId });
    const sizes: number[] = [];
    for await (const page of groups().joinRequests(GROUP, { maxPageSize: 50 })) sizes.push(page.items.length);
    expect(sizes).toEqual([20, 20, 5]);
    expect(h.oc.calls.every((call) => call.query.maxPageSize === "20")).toBe(true);
    const [first] = (await groups().joinRequests(GROUP).page()).items;
    expect(first).toMatchObject({ groupId: GROUP, userId: "2000", path: `groups/${GROUP}/join-requests/2000` });
  });

  it("filters join requests by player", async () => {
    for (const userId of addPlayers(h.oc, 3)) h.oc.addJoinRequest({ groupId: GROUP, userId });
    const page = await groups().joinRequests(GROUP, { userId: "2001" }).page();
    expect(page.items.map((r) => r.userId)).toEqual(["2001"]);
    expect(h.oc.calls.at(-1)?.query.filter).toBe("user == 'users/2001'");
  });

  it("accepts and declines, and reports a request handled elsewhere as gone", async () => {
    const [a, b] = addPlayers(h.oc, 2);
    for (const userId of [a, b]) h.oc.addJoinRequest({ groupId: GROUP, userId: userId ?? "" });
    await groups().acceptJoinRequest(GROUP, a ?? "");
    await groups().declineJoinRequest(GROUP, b ?? "");
    expect(h.oc.joinRequests(GROUP)).toEqual([]);
    expect(h.oc.members(GROUP).map((m) => m.userId)).toContain(a);
    expect(h.oc.members(GROUP).map((m) => m.userId)).not.toContain(b);
    expect(h.oc.calls.find((call) => call.path.endsWith(":accept"))?.body).toEqual({});

    const error = await rejectionOf(groups().acceptJoinRequest(GROUP, a ?? ""));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(userMessage(error)).toMatch(/accepted or declined elsewhere/);
  });

  it("needs group:write to decide, and says so", async () => {
    h.oc.addApiKey({ key: "group-reader-Ww77", ownerId: OWNER, scopes: [{ name: "group", operations: ["read"], groupIds: [GROUP] }] });
    h.oc.addJoinRequest({ groupId: GROUP, userId: PLAYER });
    const error = await rejectionOf(h.client.withKey("group-reader-Ww77").groups.acceptJoinRequest(GROUP, PLAYER));
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(userMessage(error)).toContain("`group:write`");
  });

  it("lists memberships by user or role, and roles", async () => {
    const players = addPlayers(h.oc, 12);
    for (const userId of players) h.oc.addMembership({ groupId: GROUP, userId, roleId: MEMBER_ROLE });
    h.oc.addMembership({ groupId: GROUP, userId: PLAYER, roleId: OFFICER_ROLE });

    let count = 0;
    for await (const membership of groups().memberships(GROUP, { maxPageSize: 5 }).items()) {
      expect(membership.roleIds.length).toBeGreaterThan(0);
      count++;
    }
    expect(count).toBe(14);
    const officers = await groups().memberships(GROUP, { roleId: OFFICER_ROLE }).page();
    expect(officers.items.map((m) => [m.userId, m.roleId])).toEqual([[PLAYER, OFFICER_ROLE]]);
    expect(h.oc.calls.at(-1)?.query.filter).toBe(`role == 'groups/${GROUP}/roles/${OFFICER_ROLE}'`);
    const mine = await groups().memberships(GROUP, { userId: PLAYER }).page();
    expect(mine.items).toHaveLength(1);

    const roles = [];
    for await (const role of groups().roles(GROUP).items()) roles.push([role.displayName, role.rank]);
    expect(roles).toEqual([["Guest", 0], ["Member", 1], ["Officer", 50], ["Owner", 255]]);
  });

  it("ranks: sets, assigns and unassigns roles", async () => {
    h.oc.addMembership({ groupId: GROUP, userId: PLAYER, roleId: MEMBER_ROLE });
    const promoted = await groups().setRole(GROUP, PLAYER, OFFICER_ROLE);
    expect(promoted).toMatchObject({ userId: PLAYER, roleId: OFFICER_ROLE, roleIds: [OFFICER_ROLE] });
    const both = await groups().assignRole(GROUP, PLAYER, MEMBER_ROLE);
    expect(new Set(both.roleIds)).toEqual(new Set([MEMBER_ROLE, OFFICER_ROLE]));
    const demoted = await groups().unassignRole(GROUP, PLAYER, OFFICER_ROLE);
    expect(demoted.roleIds).toEqual([MEMBER_ROLE]);
    expect(h.oc.members(GROUP).find((m) => m.userId === PLAYER)?.roleIds).toEqual([MEMBER_ROLE]);
    await expect(groups().setRole(GROUP, PLAYER, "7255")).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe("public hosts", () => {
  it("resolves usernames in batches of 100, old names included, unknown ones absent", async () => {
    const players = addPlayers(h.oc, 150);
    const names = [...players.map((id) => `player${id}`), "Player2000", "OLDBUILDER", "nobody-by-this-name"];
    const found = await h.client.usernames.resolve(names);
    expect(found.size).toBe(151);
    expect(found.get("oldbuilder")).toMatchObject({ id: PLAYER, name: "Builderman" });
    expect(found.get("player2149")?.id).toBe("2149");
    expect(found.has("nobody-by-this-name")).toBe(false);
    const posts = h.oc.calls.filter((call) => call.host === "users");
    expect(posts.map((call) => (call.body as { usernames: string[] }).usernames.length)).toEqual([100, 52]);
    expect(posts.every((call) => call.keyFingerprint === undefined)).toBe(true);
  });

  it("maps ids to headshots, with the states that have no image", async () => {
    h.oc.addUser({ id: "3001", name: "Pending", headshotState: "Pending" });
    h.oc.addUser({ id: "3002", name: "Blocked", headshotState: "Blocked" });
    const shots = await h.client.thumbnails.headshots([PLAYER, "3001", "3002"]);
    expect(shots.get(PLAYER)).toMatchObject({ state: "Completed", imageUrl: expect.stringContaining("150/150") });
    expect(shots.get("3001")).toMatchObject({ state: "Pending", imageUrl: null });
    expect(shots.get("3002")).toMatchObject({ state: "Blocked", imageUrl: null });
    expect(h.oc.calls[0]?.query).toEqual({ userIds: `${PLAYER},3001,3002`, size: "150x150", format: "Png", isCircular: "false" });
  });
});

describe("apiKeys.introspect", () => {
  it("tells which scopes a key lacks before it is saved", async () => {
    const info = await h.client.apiKeys.introspect(READ_KEY);
    expect(info).toMatchObject({ enabled: true, expired: false, authorizedUserId: "701" });
    expect(
      missingScopes(info, [
        { scope: "universe.user-restriction:read", universeId: UNIVERSE },
        { scope: "universe.user-restriction:write", universeId: UNIVERSE },
      ]),
    ).toEqual(["universe.user-restriction:write"]);
    expect(h.oc.calls[0]?.body).toEqual({ apiKey: expect.stringMatching(/^fingerprint:/) });
  });

  it("still describes a disabled or expired key, and refuses an unknown one", async () => {
    h.oc.addApiKey({ key: "lapsed-key-Xx88", ownerId: "5", scopes: [], expired: true, enabled: false });
    expect(await h.client.apiKeys.introspect("lapsed-key-Xx88")).toMatchObject({ enabled: false, expired: true });
    await expect(h.client.apiKeys.introspect("never-issued-Yy99")).rejects.toBeInstanceOf(UnauthenticatedError);
  });
});
