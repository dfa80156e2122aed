import { afterEach, describe, expect, it } from "vitest";
import { waitUntil } from "../../support/waitUntil.js";
import type { OpenCloudEmulator } from "./index.js";
import { FULL_KEY, MASK, OTHER_PLAYER, PLAYER, UNIVERSE, banBody, call, restrictionPath, startWorld } from "./fixtures.js";

describe("held calls", () => {
  let emulator: OpenCloudEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  const ban = (world: OpenCloudEmulator, userId: string) =>
    call(world.openCloudUrl, "PATCH", restrictionPath(UNIVERSE, userId), { key: FULL_KEY, query: MASK, body: banBody() });

  it("keeps the matching requests received but unanswered and unapplied until released, and lets the others through", async () => {
    const world = (emulator = await startWorld());
    const release = world.holdCalls((received) => received.method === "PATCH" && received.path === restrictionPath(UNIVERSE, PLAYER));
    let answered = false;
    const held = ban(world, PLAYER).then((answer) => {
      answered = true;
      return answer;
    });
    await waitUntil(() => world.received.some((received) => received.path === restrictionPath(UNIVERSE, PLAYER)));

    expect((await ban(world, OTHER_PLAYER)).status).toBe(200);
    expect((await call(world.openCloudUrl, "GET", restrictionPath(UNIVERSE, PLAYER), { key: FULL_KEY })).status).toBe(200);
    expect(answered).toBe(false);
    expect(world.restriction(UNIVERSE, PLAYER)).toBeUndefined();
    expect(world.calls.filter((recorded) => recorded.method === "PATCH").map((recorded) => recorded.path)).toEqual([restrictionPath(UNIVERSE, OTHER_PLAYER)]);

    release();
    expect((await held).status).toBe(200);
    expect(world.restriction(UNIVERSE, PLAYER)?.active).toBe(true);
    expect(world.logs(UNIVERSE).filter((entry) => entry.user === `users/${PLAYER}`)).toHaveLength(1);
  });

  it("lets requests arriving after the release through at once", async () => {
    const world = (emulator = await startWorld());
    const release = world.holdCalls((received) => received.method === "PATCH");
    release();
    expect((await ban(world, PLAYER)).status).toBe(200);
  });
});
