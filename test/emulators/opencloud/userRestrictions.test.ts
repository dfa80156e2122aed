import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OpenCloudEmulator } from "./index.js";
import {
  FULL_KEY,
  MASK,
  MODERATOR,
  OTHER_PLAYER,
  OTHER_UNIVERSE,
  OTHER_UNIVERSE_PLACE,
  OWNER,
  PLAYER,
  ROOT_PLACE,
  SIDE_PLACE,
  UNIVERSE,
  banBody,
  call,
  restrictionPath,
  startWorld,
} from "./fixtures.js";

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe("user restrictions", () => {
  let emulator: OpenCloudEmulator;
  beforeEach(async () => {
    emulator = await startWorld();
  });
  afterEach(() => emulator.close());

  const request = (method: string, path: string, options: { query?: Record<string, string>; body?: unknown } = {}) =>
    call(emulator.openCloudUrl, method, path, { key: FULL_KEY, ...options });
  const ban = (userId = PLAYER, body: unknown = banBody(), placeId?: string, query: Record<string, string> = MASK) =>
    request("PATCH", restrictionPath(UNIVERSE, userId, placeId), { query, body });
  const expectInvalid = (answer: { status: number; json: Record<string, unknown> }) => {
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: "INVALID_ARGUMENT", details: [] });
    expect(typeof answer.json.message).toBe("string");
  };

  describe("documented shapes", () => {
    it("shows a player never restricted as inactive", async () => {
      const answer = await request("GET", restrictionPath(UNIVERSE, PLAYER));
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        path: `universes/${UNIVERSE}/user-restrictions/${PLAYER}`,
        user: `users/${PLAYER}`,
        gameJoinRestriction: { active: false, privateReason: "", displayReason: "", excludeAltAccounts: false, inherited: false },
      });
    });

    it("bans with PATCH and answers the full resource", async () => {
      const answer = await ban();
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({
        path: `universes/${UNIVERSE}/user-restrictions/${PLAYER}`,
        user: `users/${PLAYER}`,
        gameJoinRestriction: {
          active: true,
          duration: "3600s",
          privateReason: "exploiting",
          displayReason: "Banned for exploiting",
          excludeAltAccounts: false,
          inherited: false,
        },
      });
      expect(answer.json.updateTime).toMatch(RFC3339);
      expect((answer.json.gameJoinRestriction as Record<string, unknown>).startTime).toMatch(RFC3339);
      expect((await request("GET", restrictionPath(UNIVERSE, PLAYER))).body).toEqual(answer.body);
      expect(emulator.restriction(UNIVERSE, PLAYER)?.active).toBe(true);
    });

    it("leaves duration out of a permanent ban", async () => {
      const answer = await ban(PLAYER, banBody({ duration: undefined }));
      expect(answer.json.gameJoinRestriction).not.toHaveProperty("duration");
    });

    it("unbans with active: false", async () => {
      await ban();
      const answer = await ban(PLAYER, { gameJoinRestriction: { active: false } });
      expect(answer.json.gameJoinRestriction).toMatchObject({ active: false });
      expect(emulator.restriction(UNIVERSE, PLAYER)?.active).toBe(false);
    });

    it("reports a universe ban on every place as inherited, unless the place has its own", async () => {
      await ban();
      const inherited = await request("GET", restrictionPath(UNIVERSE, PLAYER, SIDE_PLACE));
      expect(inherited.json).toMatchObject({
        path: `universes/${UNIVERSE}/places/${SIDE_PLACE}/user-restrictions/${PLAYER}`,
        gameJoinRestriction: { active: true, inherited: true, privateReason: "exploiting" },
      });
      await ban(OTHER_PLAYER, banBody({ privateReason: "place only" }), ROOT_PLACE);
      const own = await request("GET", restrictionPath(UNIVERSE, OTHER_PLAYER, ROOT_PLACE));
      expect(own.json.gameJoinRestriction).toMatchObject({ active: true, inherited: false, privateReason: "place only" });
      const elsewhere = await request("GET", restrictionPath(UNIVERSE, OTHER_PLAYER, SIDE_PLACE));
      expect(elsewhere.json.gameJoinRestriction).toMatchObject({ active: false });
    });

    it("lists restrictions at universe and place level", async () => {
      await ban(PLAYER);
      await ban(OTHER_PLAYER, banBody(), SIDE_PLACE);
      const universe = await request("GET", `/cloud/v2/universes/${UNIVERSE}/user-restrictions`);
      expect(universe.json.userRestrictions).toEqual([expect.objectContaining({ user: `users/${PLAYER}` })]);
      expect(universe.json).not.toHaveProperty("nextPageToken");
      const place = await request("GET", `/cloud/v2/universes/${UNIVERSE}/places/${SIDE_PLACE}/user-restrictions`);
      const listed = place.json.userRestrictions as { user: string; gameJoinRestriction: { inherited: boolean } }[];
      expect(listed.map((entry) => [entry.user, entry.gameJoinRestriction.inherited])).toEqual([
        [`users/${PLAYER}`, true],
        [`users/${OTHER_PLAYER}`, false],
      ]);
    });
  });

  describe("logs", () => {
    it("logs every applied ban and unban, with the key's owner as moderator", async () => {
      await ban();
      await ban(PLAYER, { gameJoinRestriction: { active: false } });
      await ban(OTHER_PLAYER, banBody(), SIDE_PLACE);
      const answer = await request("GET", `/cloud/v2/universes/${UNIVERSE}/user-restrictions:listLogs`);
      expect(answer.status).toBe(200);
      const logs = answer.json.logs as Record<string, unknown>[];
      expect(logs).toHaveLength(3);
      expect(logs[0]).toMatchObject({
        user: `users/${OTHER_PLAYER}`,
        place: `places/${SIDE_PLACE}`,
        moderator: { robloxUser: `users/${OWNER}` },
        active: true,
        duration: "3600s",
        privateReason: "exploiting",
        displayReason: "Banned for exploiting",
        restrictionType: { gameJoinRestriction: {} },
        excludeAltAccounts: false,
      });
      expect(logs[0]?.createTime).toMatch(RFC3339);
      expect(logs[1]).toMatchObject({ user: `users/${PLAYER}`, place: "", active: false });
      expect(logs[2]).toMatchObject({ user: `users/${PLAYER}`, place: "", active: true });
    });

    it("shows bans made in Creator Hub and by game servers", async () => {
      emulator.banFromCreatorHub({ universeId: UNIVERSE, userId: PLAYER, moderatorId: MODERATOR, privateReason: "hub" });
      emulator.banFromGameServer({ universeId: UNIVERSE, userId: OTHER_PLAYER, placeId: ROOT_PLACE, duration: "60s" });
      const logs = (await request("GET", `/cloud/v2/universes/${UNIVERSE}/user-restrictions:listLogs`)).json.logs;
      expect(logs).toEqual([
        expect.objectContaining({ user: `users/${OTHER_PLAYER}`, place: `places/${ROOT_PLACE}`, moderator: { gameServerScript: {} } }),
        expect.objectContaining({ user: `users/${PLAYER}`, place: "", moderator: { robloxUser: `users/${MODERATOR}` } }),
      ]);
      expect(emulator.restriction(UNIVERSE, PLAYER)).toMatchObject({ active: true, privateReason: "hub" });
      expect(() => emulator.banFromGameServer({ universeId: UNIVERSE, userId: PLAYER, duration: "1.5s" })).toThrow();
    });

    it("filters logs by user and place", async () => {
      await ban(PLAYER);
      await ban(OTHER_PLAYER, banBody(), SIDE_PLACE);
      await ban(PLAYER, banBody(), SIDE_PLACE);
      const path = `/cloud/v2/universes/${UNIVERSE}/user-restrictions:listLogs`;
      const byUser = await request("GET", path, { query: { filter: `user == 'users/${PLAYER}'` } });
      expect(byUser.json.logs).toHaveLength(2);
      const both = await request("GET", path, {
        query: { filter: `user == 'users/${PLAYER}' && place == 'places/${SIDE_PLACE}'` },
      });
      expect(both.json.logs).toEqual([expect.objectContaining({ user: `users/${PLAYER}`, place: `places/${SIDE_PLACE}` })]);
    });

    it.each([
      ["an unknown field", "moderator == 'users/1'"],
      ["another operator", "user != 'users/156'"],
      ["a bare id", "user == '156'"],
      ["an OR", "user == 'users/156' || user == 'users/157'"],
      ["garbage", "users/156"],
    ])("refuses a filter with %s", async (_what, filter) => {
      expectInvalid(await request("GET", `/cloud/v2/universes/${UNIVERSE}/user-restrictions:listLogs`, { query: { filter } }));
    });
  });

  describe("refuses what breaks the contract (400)", () => {
    it.each([
      ["a mask indexing into the restriction", { updateMask: "gameJoinRestriction.active" }],
      ["a mask of another field", { updateMask: "user" }],
    ])("%s", async (_what, query) => {
      expectInvalid(await ban(PLAYER, banBody(), undefined, query));
      expect(emulator.logs(UNIVERSE)).toEqual([]);
    });

    it.each([
      ["missing", {}],
      ["empty", { updateMask: "" }],
    ])("takes a %s updateMask as the fields in the body, as the spec's optional mask means (AIP-134)", async (_what, query) => {
      expect((await ban(PLAYER, banBody(), undefined, query)).status).toBe(200);
      expect(emulator.restriction(UNIVERSE, PLAYER)?.active).toBe(true);
    });

    it("accepts the mask in proto spelling too, as the spec writes it", async () => {
      expect((await ban(PLAYER, banBody(), undefined, { updateMask: "game_join_restriction" })).status).toBe(200);
    });

    it.each(["0s", "1.5s", "3600", "-5s", "1h", "315576000001s", ""])("a malformed duration %j", async (duration) => {
      expectInvalid(await ban(PLAYER, banBody({ duration })));
    });

    it("a duration that is not a string", async () => {
      expectInvalid(await ban(PLAYER, banBody({ duration: 3600 })));
    });

    it.each(["1s", "315576000000s"])("but accepts the bounds %s", async (duration) => {
      expect((await ban(PLAYER, banBody({ duration }))).status).toBe(200);
    });

    it("reasons over their length, counted in characters", async () => {
      expectInvalid(await ban(PLAYER, banBody({ privateReason: "x".repeat(1001) })));
      expectInvalid(await ban(PLAYER, banBody({ displayReason: "x".repeat(401) })));
      const emoji = "🔨".repeat(400);
      expect((await ban(PLAYER, banBody({ displayReason: emoji, privateReason: "p".repeat(1000) }))).status).toBe(200);
    });

    it("unknown fields, a missing body, a body path for another resource, and broken JSON", async () => {
      expectInvalid(await ban(PLAYER, banBody({ excludeAltAccount: true })));
      expectInvalid(await ban(PLAYER, { gameJoinRestriction: { active: true }, reason: "x" }));
      expectInvalid(await request("PATCH", restrictionPath(UNIVERSE, PLAYER), { query: MASK }));
      expectInvalid(await ban(PLAYER, { path: `universes/${UNIVERSE}/user-restrictions/${OTHER_PLAYER}`, ...banBody() }));
      const broken = await call(emulator.openCloudUrl, "PATCH", restrictionPath(UNIVERSE, PLAYER), {
        key: FULL_KEY,
        query: MASK,
        rawBody: "{not json",
      });
      expectInvalid(broken);
    });

    it("a filter on ListUserRestrictions, which the spec does not define", async () => {
      expectInvalid(
        await request("GET", `/cloud/v2/universes/${UNIVERSE}/user-restrictions`, { query: { filter: `user == 'users/${PLAYER}'` } }),
      );
    });

    it.each(["-1", "abc", "1.5"])("maxPageSize %s", async (maxPageSize) => {
      expectInvalid(await request("GET", `/cloud/v2/universes/${UNIVERSE}/user-restrictions`, { query: { maxPageSize } }));
    });

    it("ids that are not numbers", async () => {
      expectInvalid(await request("GET", restrictionPath("abc", PLAYER)));
      expectInvalid(await request("GET", restrictionPath(UNIVERSE, "users-156")));
    });
  });

  describe("unknown resources (404)", () => {
    const expectNotFound = (answer: { status: number; json: Record<string, unknown> }) => {
      expect(answer.status).toBe(404);
      expect(answer.json).toMatchObject({ code: "NOT_FOUND", details: [] });
    };

    it("an unknown user, universe or place", async () => {
      expectNotFound(await request("GET", restrictionPath(UNIVERSE, "999999")));
      expectNotFound(await ban("999999"));
      emulator.addApiKey({ key: "everywhere", ownerId: OWNER, scopes: [{ name: "universe.user-restriction", operations: ["read", "write"] }] });
      expectNotFound(await call(emulator.openCloudUrl, "GET", restrictionPath("424242", PLAYER), { key: "everywhere" }));
      expectNotFound(await request("GET", restrictionPath(UNIVERSE, PLAYER, "424242")));
    });

    it("a place of another universe", async () => {
      emulator.addApiKey({ key: "everywhere", ownerId: OWNER, scopes: [{ name: "universe.user-restriction", operations: ["read"], universeIds: ["*"] }] });
      const answer = await call(emulator.openCloudUrl, "GET", restrictionPath(UNIVERSE, PLAYER, OTHER_UNIVERSE_PLACE), { key: "everywhere" });
      expectNotFound(answer);
      const right = await call(emulator.openCloudUrl, "GET", restrictionPath(OTHER_UNIVERSE, PLAYER, OTHER_UNIVERSE_PLACE), { key: "everywhere" });
      expect(right.status).toBe(200);
    });
  });

  describe("idempotency", () => {
    const firstSent = "2026-08-01T12:00:00Z";

    it("answers a repeat with the same key without applying it twice", async () => {
      const emulatorNow = new Date().toISOString();
      const query = { ...MASK, "idempotencyKey.key": "case-42", "idempotencyKey.firstSent": emulatorNow };
      const first = await ban(PLAYER, banBody(), undefined, query);
      const second = await ban(PLAYER, banBody(), undefined, query);
      expect(first.status).toBe(200);
      expect(second.body).toEqual(first.body);
      expect(emulator.logs(UNIVERSE)).toHaveLength(1);
    });

    it("refuses the same key for a different request, or with a different firstSent", async () => {
      const now = new Date().toISOString();
      const query = { ...MASK, "idempotencyKey.key": "case-43", "idempotencyKey.firstSent": now };
      await ban(PLAYER, banBody(), undefined, query);
      expectInvalid(await ban(PLAYER, banBody({ privateReason: "changed" }), undefined, query));
      expectInvalid(await ban(PLAYER, banBody(), undefined, { ...query, "idempotencyKey.firstSent": "2020-01-01T00:00:00Z" }));
      expect(emulator.logs(UNIVERSE)).toHaveLength(1);
    });

    it("refuses a key without its firstSent, a malformed firstSent, or one past the key's lifetime", async () => {
      expectInvalid(await ban(PLAYER, banBody(), undefined, { ...MASK, "idempotencyKey.key": "k" }));
      expectInvalid(await ban(PLAYER, banBody(), undefined, { ...MASK, "idempotencyKey.key": "k", "idempotencyKey.firstSent": "yesterday" }));
      expectInvalid(await ban(PLAYER, banBody(), undefined, { ...MASK, "idempotencyKey.key": "k", "idempotencyKey.firstSent": firstSent.replace("2026", "2001") }));
      expect(emulator.logs(UNIVERSE)).toEqual([]);
    });
  });
});
