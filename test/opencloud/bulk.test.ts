import { afterEach, describe, expect, it } from "vitest";
import type { UserRestriction } from "../../src/opencloud/index.js";
import { FULL_KEY, type Harness, UNIVERSE, addPlayers, startHarness } from "./harness.js";

/**
 * 200 bans in one universe at once. At time scale 10 the universe's update
 * budget (10/s) becomes 100/s, so the burst must queue for about two scaled
 * seconds: the budgets are planned, so Roblox never has to say 429. The faulty
 * run uses time scale 60: a player's third attempt waits out the player's
 * 2/min budget, and a scaled minute of one second keeps that short.
 */
describe("banning 200 players at once", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function banEveryone(timeScale: number, faults: Parameters<Harness["oc"]["setFaults"]>[0]) {
    h = await startHarness({ emulator: { timeScale, enforceRateLimits: true, seed: 2026 }, client: { maxRetries: 12 } });
    const { oc, client } = h;
    const players = addPlayers(oc, 200);
    oc.setFaults(faults);
    const bans = client.withKey(FULL_KEY).userRestrictions;
    const results = await Promise.allSettled(
      players.map((userId) => bans.ban({ universeId: UNIVERSE, userId, durationSeconds: 86_400, privateReason: `raid ${userId}` })),
    );
    return { oc, players, results };
  }

  function expectAllApplied({ oc, players, results }: Awaited<ReturnType<typeof banEveryone>>) {
    const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    expect(failures).toEqual([]);
    expect(results.map((r) => (r as PromiseFulfilledResult<UserRestriction>).value.active)).toEqual(players.map(() => true));
    for (const userId of players) expect(oc.restriction(UNIVERSE, userId)).toMatchObject({ active: true, duration: "86400s" });
    const logged = oc.logs(UNIVERSE).map((log) => log.user);
    expect(logged).toHaveLength(200);
    expect(new Set(logged).size).toBe(200);
  }

  it("applies every ban without a single 429", async () => {
    const outcome = await banEveryone(10, {});
    expectAllApplied(outcome);
    expect(outcome.oc.calls.filter((call) => call.status === 429)).toEqual([]);
    expect(outcome.oc.calls.filter((call) => call.method === "PATCH")).toHaveLength(200);
  });

  it("applies every ban exactly once through 20% injected 5xx and connection resets", async () => {
    const outcome = await banEveryone(60, { errorRate: 0.1, resetRate: 0.1, applyThenFailRate: 0.05 });
    expectAllApplied(outcome);
    const { oc } = outcome;
    expect(oc.calls.filter((call) => call.fault === "reset").length).toBeGreaterThan(10);
    expect(oc.calls.filter((call) => call.fault === "error").length).toBeGreaterThan(10);
    expect(oc.calls.filter((call) => call.fault === "applyThenFail").length).toBeGreaterThan(0);
    expect(oc.calls.filter((call) => call.status === 429)).toEqual([]);
  });
});
