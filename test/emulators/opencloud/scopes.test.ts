import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startOpenCloudEmulator, type OpenCloudEmulator } from "./index.js";
import {
  BARE_KEY,
  FULL_KEY,
  GROUP,
  MASK,
  OTHER_UNIVERSE,
  PLAYER,
  READ_ONLY_KEY,
  UNIVERSE,
  banBody,
  call,
  restrictionPath,
  startWorld,
} from "./fixtures.js";

describe("scopes", () => {
  let emulator: OpenCloudEmulator;
  beforeEach(async () => {
    emulator = await startWorld();
  });
  afterEach(() => emulator.close());

  const expectDenied = (answer: { status: number; json: Record<string, unknown> }) => {
    expect(answer.status).toBe(403);
    expect(answer.json).toMatchObject({ code: "PERMISSION_DENIED", details: [] });
  };

  it("denies reading restrictions without universe.user-restriction:read", async () => {
    expectDenied(await call(emulator.openCloudUrl, "GET", restrictionPath(UNIVERSE, PLAYER), { key: BARE_KEY }));
    expectDenied(await call(emulator.openCloudUrl, "GET", `/cloud/v2/universes/${UNIVERSE}/user-restrictions:listLogs`, { key: BARE_KEY }));
  });

  it("limits a scope to the universes it names", async () => {
    expect((await call(emulator.openCloudUrl, "GET", restrictionPath(UNIVERSE, PLAYER), { key: FULL_KEY })).status).toBe(200);
    expectDenied(await call(emulator.openCloudUrl, "GET", restrictionPath(OTHER_UNIVERSE, PLAYER), { key: FULL_KEY }));
  });

  it("denies group join requests without group:read, and acting on them without group:write", async () => {
    expectDenied(await call(emulator.openCloudUrl, "GET", `/cloud/v2/groups/${GROUP}/join-requests`, { key: BARE_KEY }));
    emulator.addJoinRequest({ groupId: GROUP, userId: PLAYER });
    emulator.addApiKey({ key: "group-reader", ownerId: "1001", scopes: [{ name: "group", operations: ["read"], groupIds: [GROUP] }] });
    expect((await call(emulator.openCloudUrl, "GET", `/cloud/v2/groups/${GROUP}/join-requests`, { key: "group-reader" })).status).toBe(200);
    expectDenied(
      await call(emulator.openCloudUrl, "POST", `/cloud/v2/groups/${GROUP}/join-requests/${PLAYER}:accept`, { key: "group-reader", body: {} }),
    );
    expect(emulator.joinRequests(GROUP)).toHaveLength(1);
  });

  it("lets any valid key read what the spec lists no scope for", async () => {
    for (const path of [`/cloud/v2/universes/${UNIVERSE}`, `/cloud/v2/groups/${GROUP}`, `/cloud/v2/users/${PLAYER}`, `/cloud/v2/groups/${GROUP}/memberships`]) {
      expect((await call(emulator.openCloudUrl, "GET", path, { key: BARE_KEY })).status, path).toBe(200);
    }
  });

  describe("the write-scope trap", () => {
    it("answers 200 with the unchanged resource and applies nothing", async () => {
      const answer = await call(emulator.openCloudUrl, "PATCH", restrictionPath(UNIVERSE, PLAYER), {
        key: READ_ONLY_KEY,
        query: MASK,
        body: banBody(),
      });
      expect(answer.status).toBe(200);
      expect(answer.json.gameJoinRestriction).toMatchObject({ active: false });
      expect(emulator.restriction(UNIVERSE, PLAYER)).toBeUndefined();
      expect(emulator.logs(UNIVERSE)).toEqual([]);
    });

    it("still validates the request first", async () => {
      const answer = await call(emulator.openCloudUrl, "PATCH", restrictionPath(UNIVERSE, PLAYER), {
        key: READ_ONLY_KEY,
        query: { updateMask: "gameJoinRestriction.active" },
        body: banBody(),
      });
      expect(answer.status).toBe(400);
    });

    it("answers 403 to a key that cannot even read", async () => {
      expectDenied(await call(emulator.openCloudUrl, "PATCH", restrictionPath(UNIVERSE, PLAYER), { key: BARE_KEY, query: MASK, body: banBody() }));
    });

    it("answers 403 once switched off, at runtime or at start", async () => {
      emulator.setScopeTrap(false);
      expectDenied(await call(emulator.openCloudUrl, "PATCH", restrictionPath(UNIVERSE, PLAYER), { key: READ_ONLY_KEY, query: MASK, body: banBody() }));
      const strict = await startOpenCloudEmulator({ scopeTrap: false });
      try {
        strict.addApiKey({ key: "reader", ownerId: "1", scopes: [{ name: "universe.user-restriction", operations: ["read"] }] });
        strict.addUser({ id: PLAYER, name: "Builderman" });
        strict.addUniverse({ id: UNIVERSE, placeIds: ["2"] });
        expectDenied(await call(strict.openCloudUrl, "PATCH", restrictionPath(UNIVERSE, PLAYER), { key: "reader", query: MASK, body: banBody() }));
      } finally {
        await strict.close();
      }
    });
  });
});
