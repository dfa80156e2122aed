import { afterEach, describe, expect, it } from "vitest";
import { FULL_KEY, type Harness, UNIVERSE, addPlayers, startHarness } from "./harness.js";

const SECOND_KEY = "second-key-Qw47Er8tYyzz";

/**
 * One universe linked in two guilds, each with its own key: every ban of
 * either guild waits on the universe's update budget (10/s). Guild A queues
 * fifty bans, then guild B one: B's ban goes out in the next turn, not after
 * A's fifty.
 */
describe("two tenants sharing a universe's budget", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("serves the tenant with one ban within its turn, while the other has fifty queued", async () => {
    h = await startHarness({ emulator: { timeScale: 60, enforceRateLimits: true } });
    const { oc, client } = h;
    oc.addApiKey({
      key: SECOND_KEY,
      ownerId: "703",
      scopes: [{ name: "universe.user-restriction", operations: ["read", "write"], universeIds: [UNIVERSE] }],
    });
    const crowd = addPlayers(oc, 50);
    const [single] = addPlayers(oc, 1, 9_000);
    const guildA = client.withKey(FULL_KEY, { tenant: "guild-a" }).userRestrictions;
    const guildB = client.withKey(SECOND_KEY, { tenant: "guild-b" }).userRestrictions;

    const bans = crowd.map((userId) => guildA.ban({ universeId: UNIVERSE, userId, privateReason: "raid" }));
    await new Promise((resolve) => setImmediate(resolve));
    bans.push(guildB.ban({ universeId: UNIVERSE, userId: single ?? "", privateReason: "alone" }));
    await Promise.all(bans);

    const patched = oc.calls.filter((call) => call.method === "PATCH").map((call) => call.path.split("/").pop());
    expect(patched).toHaveLength(51);
    // The first window's ten went to A before B asked; B's turn comes one call later, in the next
    // window. Calls granted close together may reach Roblox in any order on a busy machine, so a
    // window of slack; first come, first served would send it last, behind all fifty.
    expect(patched.indexOf(single)).toBeLessThan(30);
    expect(oc.calls.filter((call) => call.status === 429)).toEqual([]);
  });
});
