import { afterEach, describe, expect, it } from "vitest";
import type { OpenCloudEmulator, OpenCloudEmulatorOptions } from "./index.js";
import {
  BARE_KEY,
  FULL_KEY,
  MASK,
  OTHER_PLAYER,
  PLAYER,
  SECOND_KEY,
  SIDE_PLACE,
  UNIVERSE,
  banBody,
  call,
  restrictionPath,
  startWorld,
} from "./fixtures.js";

/** A clock the test steps by hand, so no assertion depends on how fast requests run. */
function steppedClock() {
  let now = Date.parse("2026-08-01T12:00:00Z");
  return { clock: () => now, advance: (ms: number) => (now += ms) };
}

describe("rate limits", () => {
  let emulator: OpenCloudEmulator | undefined;
  afterEach(() => emulator?.close());

  async function start(options: OpenCloudEmulatorOptions): Promise<OpenCloudEmulator> {
    emulator = await startWorld({ enforceRateLimits: true, ...options });
    return emulator;
  }

  const ban = (world: OpenCloudEmulator, userId: string, key = FULL_KEY, placeId?: string) =>
    call(world.openCloudUrl, "PATCH", restrictionPath(UNIVERSE, userId, placeId), { key, query: MASK, body: banBody() });

  const expectExhausted = (answer: { status: number; headers: Headers; json: Record<string, unknown> }) => {
    expect(answer.status).toBe(429);
    expect(answer.json).toMatchObject({ code: "RESOURCE_EXHAUSTED", details: [] });
    expect(answer.headers.get("x-ratelimit-remaining")).toBe("0");
  };

  it("allows 2 updates per player per minute, then 429 with the documented headers", async () => {
    const time = steppedClock();
    const world = await start({ clock: time.clock });
    expect((await ban(world, PLAYER)).status).toBe(200);
    time.advance(20_000);
    // A place-level update counts against the same player in the same universe.
    expect((await ban(world, PLAYER, FULL_KEY, SIDE_PLACE)).status).toBe(200);
    const refused = await ban(world, PLAYER);
    expectExhausted(refused);
    expect(refused.headers.get("x-ratelimit-limit")).toBe("2");
    expect(refused.headers.get("x-ratelimit-reset")).toBe("40");
    expect(refused.headers.get("retry-after")).toBe("40");
    expect(world.logs(UNIVERSE)).toHaveLength(2);
    expect((await ban(world, OTHER_PLAYER)).status).toBe(200);
    time.advance(40_000);
    expect((await ban(world, PLAYER)).status).toBe(200);
  });

  it("scales every window with timeScale", async () => {
    const time = steppedClock();
    const world = await start({ clock: time.clock, timeScale: 60 });
    await ban(world, PLAYER);
    await ban(world, PLAYER);
    const refused = await ban(world, PLAYER);
    expectExhausted(refused);
    expect(refused.headers.get("retry-after")).toBe("1");
    time.advance(999);
    expectExhausted(await ban(world, PLAYER));
    time.advance(1);
    expect((await ban(world, PLAYER)).status).toBe(200);
  });

  it("keeps fractions of a second when a scaled window is shorter than one", async () => {
    const time = steppedClock();
    const world = await start({ clock: time.clock, timeScale: 600 });
    await ban(world, PLAYER);
    await ban(world, PLAYER);
    const refused = await ban(world, PLAYER);
    expect(refused.headers.get("x-ratelimit-reset")).toBe("0.1");
  });

  it("counts 10 updates per second per universe, whoever sends them", async () => {
    const time = steppedClock();
    const world = await start({ clock: time.clock });
    const players = Array.from({ length: 11 }, (_, index) => String(8000 + index));
    for (const id of players) world.addUser({ id, name: `p${id}` });
    world.addApiKey({ key: "another-owner", ownerId: "1009", scopes: [{ name: "universe.user-restriction", operations: ["read", "write"] }] });
    for (const [index, id] of players.slice(0, 10).entries()) {
      expect((await ban(world, id, index % 2 === 0 ? FULL_KEY : "another-owner")).status).toBe(200);
    }
    const refused = await ban(world, players[10] ?? "", "another-owner");
    expectExhausted(refused);
    expect(refused.headers.get("x-ratelimit-limit")).toBe("10");
    time.advance(1_000);
    expect((await ban(world, players[10] ?? "")).status).toBe(200);
  });

  it("shares a key owner's budget across that owner's keys, not with other owners", async () => {
    const time = steppedClock();
    const world = await start({ clock: time.clock });
    const getUniverse = (key: string) => call(world.openCloudUrl, "GET", `/cloud/v2/universes/${UNIVERSE}`, { key });
    for (let index = 0; index < 100; index += 1) {
      const answer = await getUniverse(index % 2 === 0 ? FULL_KEY : SECOND_KEY);
      expect(answer.status).toBe(200);
      expect(answer.headers.get("x-ratelimit-remaining")).toBe(String(99 - index));
    }
    const refused = await getUniverse(SECOND_KEY);
    expectExhausted(refused);
    expect(refused.headers.get("x-ratelimit-limit")).toBe("100");
    expect((await getUniverse(BARE_KEY)).status).toBe(200);
    time.advance(60_000);
    expect((await getUniverse(FULL_KEY)).status).toBe(200);
  });

  it("holds join request accepts to 100 a minute; declines have their own budget", async () => {
    const time = steppedClock();
    const world = await start({ clock: time.clock });
    const decide = (userId: string, verb: "accept" | "decline") =>
      call(world.openCloudUrl, "POST", `/cloud/v2/groups/7/join-requests/${userId}:${verb}`, { key: FULL_KEY, body: {} });
    const joiners = Array.from({ length: 102 }, (_, index) => String(9000 + index));
    for (const id of joiners) {
      world.addUser({ id, name: `joiner${id}` });
      world.addJoinRequest({ groupId: "7", userId: id });
    }
    for (const id of joiners.slice(0, 100)) expect((await decide(id, "accept")).status).toBe(200);
    expectExhausted(await decide(joiners[100] ?? "", "accept"));
    expect(world.joinRequests("7").map((request) => request.userId)).toEqual(joiners.slice(100));
    expect((await decide(joiners[101] ?? "", "decline")).status).toBe(200);
  });

  it("enforces nothing when switched off", async () => {
    const time = steppedClock();
    const world = await start({ clock: time.clock, enforceRateLimits: false });
    for (let index = 0; index < 3; index += 1) expect((await ban(world, PLAYER)).status).toBe(200);
  });
});
