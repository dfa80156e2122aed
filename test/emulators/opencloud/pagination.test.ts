import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenCloudEmulator } from "./index.js";
import { FULL_KEY, GROUP, UNIVERSE, call, startWorld } from "./fixtures.js";

const PLAYERS = Array.from({ length: 125 }, (_, index) => String(5000 + index));

describe("pagination", () => {
  let emulator: OpenCloudEmulator;
  beforeAll(async () => {
    emulator = await startWorld();
    for (const id of PLAYERS) {
      emulator.addUser({ id, name: `player${id}` });
      emulator.banFromGameServer({ universeId: UNIVERSE, userId: id });
      emulator.addJoinRequest({ groupId: GROUP, userId: id });
    }
  });
  afterAll(() => emulator.close());

  const list = (query: Record<string, string>, path = `/cloud/v2/universes/${UNIVERSE}/user-restrictions`) =>
    call(emulator.openCloudUrl, "GET", path, { key: FULL_KEY, query });

  async function walk(path: string, collection: string, query: Record<string, string>): Promise<number[]> {
    const sizes: number[] = [];
    let token: string | undefined;
    do {
      const answer = await list(token === undefined ? query : { ...query, pageToken: token }, path);
      expect(answer.status).toBe(200);
      sizes.push((answer.json[collection] as unknown[]).length);
      const next = answer.json.nextPageToken;
      token = typeof next === "string" && next !== "" ? next : undefined;
    } while (token !== undefined);
    return sizes;
  }

  it("pages by 10 by default and leaves nextPageToken out on the last page", async () => {
    const sizes = await walk(`/cloud/v2/universes/${UNIVERSE}/user-restrictions`, "userRestrictions", {});
    expect(sizes).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 5]);
  });

  it("walks every item exactly once", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const answer = await list({ maxPageSize: "40", ...(token === undefined ? {} : { pageToken: token }) });
      seen.push(...(answer.json.userRestrictions as { user: string }[]).map((entry) => entry.user));
      token = answer.json.nextPageToken as string | undefined;
    } while (token !== undefined);
    expect(seen).toEqual(PLAYERS.map((id) => `users/${id}`));
  });

  it("clamps maxPageSize to 100, and to 20 for join requests", async () => {
    expect((await list({ maxPageSize: "500" })).json.userRestrictions).toHaveLength(100);
    const joinRequests = await walk(`/cloud/v2/groups/${GROUP}/join-requests`, "groupJoinRequests", { maxPageSize: "100" });
    expect(joinRequests[0]).toBe(20);
    expect(joinRequests.reduce((sum, size) => sum + size, 0)).toBe(PLAYERS.length);
  });

  it("refuses a page token with different other parameters", async () => {
    const logs = `/cloud/v2/universes/${UNIVERSE}/user-restrictions:listLogs`;
    const first = await list({ filter: `place == 'places/2'`, maxPageSize: "5" }, logs);
    const unfiltered = await list({ maxPageSize: "5" }, logs);
    const token = unfiltered.json.nextPageToken as string;
    expect(first.status).toBe(200);
    const changed = await list({ maxPageSize: "5", filter: `user == 'users/${PLAYERS[0]}'`, pageToken: token }, logs);
    expect(changed.status).toBe(400);
    expect(changed.json.code).toBe("INVALID_ARGUMENT");
    expect((await list({ maxPageSize: "6", pageToken: token }, logs)).status).toBe(400);
    expect((await list({ maxPageSize: "5", pageToken: token }, logs)).status).toBe(200);
  });

  it("refuses a token from another list, and a forged one", async () => {
    const token = (await list({})).json.nextPageToken as string;
    expect((await list({ pageToken: token }, `/cloud/v2/universes/${UNIVERSE}/places/2/user-restrictions`)).status).toBe(400);
    expect((await list({ pageToken: "bm90LWEtdG9rZW4" })).status).toBe(400);
    const [payload = "", signature = ""] = token.split(".");
    const forged = Buffer.from(Buffer.from(payload, "base64url").toString().replace(/"offset":\d+/, '"offset":0')).toString("base64url");
    expect((await list({ pageToken: `${forged}.${signature}` })).status).toBe(400);
  });
});
