import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fingerprint, type OpenCloudEmulator } from "./index.js";
import { FULL_KEY, OWNER, PLAYER, UNIVERSE, call, restrictionPath, startWorld } from "./fixtures.js";

const INVALID_KEY_BODY = { errors: [{ code: 0, message: "Invalid API Key" }] };

describe("API key authentication", () => {
  let emulator: OpenCloudEmulator;
  beforeEach(async () => {
    emulator = await startWorld();
  });
  afterEach(() => emulator.close());

  const get = (key?: string) => call(emulator.openCloudUrl, "GET", restrictionPath(UNIVERSE, PLAYER), { key });

  it("accepts a valid key", async () => {
    expect((await get(FULL_KEY)).status).toBe(200);
  });

  it.each([
    ["missing", undefined],
    ["unknown", "not-a-key"],
  ])("answers 401 in the gateway format for a %s key", async (_what, key) => {
    const answer = await get(key);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(INVALID_KEY_BODY);
  });

  it("answers 401 for a disabled key", async () => {
    emulator.updateApiKey(FULL_KEY, { enabled: false });
    expect((await get(FULL_KEY)).body).toEqual(INVALID_KEY_BODY);
  });

  it("answers 401 for an expired key, by flag or by date", async () => {
    emulator.addApiKey({ key: "dated", ownerId: OWNER, scopes: [], expirationTimeUtc: "2020-01-01T00:00:00Z" });
    expect((await get("dated")).status).toBe(401);
    emulator.updateApiKey(FULL_KEY, { expired: true });
    expect((await get(FULL_KEY)).status).toBe(401);
  });

  it("answers 401 once a key is revoked", async () => {
    expect((await get(FULL_KEY)).status).toBe(200);
    emulator.revokeApiKey(FULL_KEY);
    expect((await get(FULL_KEY)).body).toEqual(INVALID_KEY_BODY);
  });

  it("authenticates before anything else, even for an unknown universe", async () => {
    const answer = await call(emulator.openCloudUrl, "GET", restrictionPath("424242", PLAYER), { key: "nope" });
    expect(answer.status).toBe(401);
  });
});

describe("POST /api-keys/v1/introspect", () => {
  let emulator: OpenCloudEmulator;
  beforeEach(async () => {
    emulator = await startWorld();
  });
  afterEach(() => emulator.close());

  const introspect = (body: unknown) => call(emulator.openCloudUrl, "POST", "/api-keys/v1/introspect", { body });

  it("describes the key's owner, scopes and state", async () => {
    const answer = await introspect({ apiKey: FULL_KEY });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      name: "warden",
      authorizedUserId: Number(OWNER),
      scopes: [
        { name: "universe.user-restriction", operations: ["read", "write"], universeIds: [UNIVERSE] },
        { name: "group", operations: ["read", "write"], groupIds: ["7"] },
        { name: "user.advanced", operations: ["read"], userIds: ["*"] },
        { name: "user.social", operations: ["read"], userIds: ["*"] },
      ],
      enabled: true,
      expired: false,
      expirationTimeUtc: null,
    });
  });

  it("still describes a disabled or expired key, which is how a client warns about it", async () => {
    emulator.updateApiKey(FULL_KEY, { enabled: false, expirationTimeUtc: "2020-01-01T00:00:00Z" });
    const answer = await introspect({ apiKey: FULL_KEY });
    expect(answer.json).toMatchObject({ enabled: false, expired: true, expirationTimeUtc: "2020-01-01T00:00:00Z" });
  });

  it("refuses an unknown key and a malformed body", async () => {
    expect((await introspect({ apiKey: "nope" })).body).toEqual(INVALID_KEY_BODY);
    const malformed = await introspect({ key: FULL_KEY });
    expect(malformed.status).toBe(400);
    expect(malformed.json.code).toBe("INVALID_ARGUMENT");
  });

  it("records the key's fingerprint, never the key", async () => {
    await introspect({ apiKey: FULL_KEY });
    await call(emulator.openCloudUrl, "GET", restrictionPath(UNIVERSE, PLAYER), { key: FULL_KEY });
    expect(JSON.stringify(emulator.calls)).not.toContain(FULL_KEY);
    expect(emulator.calls.map((recorded) => recorded.keyFingerprint)).toEqual([fingerprint(FULL_KEY), fingerprint(FULL_KEY)]);
    expect(emulator.calls[1]).toMatchObject({
      host: "opencloud",
      method: "GET",
      path: restrictionPath(UNIVERSE, PLAYER),
      status: 200,
    });
  });
});
