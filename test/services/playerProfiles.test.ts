import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PlayerProfiles } from "../../src/services/playerProfiles.js";
import { FULL_KEY, OWNER, PLAYER, type Harness, startHarness } from "../opencloud/harness.js";

const GUILD = "123456789012345678";
const OTHER_GUILD = "223456789012345678";

describe("players' avatars and profiles, remembered a minute", () => {
  let h: Harness;
  let now: number;
  let profiles: PlayerProfiles;
  const headshotRequests = () => h.oc.calls.filter((call) => call.host === "thumbnails").map((call) => call.query.userIds);
  const profileReads = () => h.oc.calls.filter((call) => call.path.startsWith("/cloud/v2/users/")).length;

  beforeAll(async () => {
    h = await startHarness();
    h.oc.addUser({ id: "160", name: "StillRendering", headshotState: "Pending" });
  });
  beforeEach(() => {
    now = 0;
    profiles = new PlayerProfiles(h.client, () => now);
    h.oc.clearCalls();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("fetches the players not known yet in one call, and each avatar once in the minute, for every guild", async () => {
    const [both, again, other] = await Promise.all([
      profiles.avatarUrls([PLAYER, OWNER], GUILD),
      profiles.avatarUrl(PLAYER, GUILD),
      profiles.avatarUrl(OWNER, OTHER_GUILD),
    ]);
    expect(both.get(PLAYER)).toBe(again);
    expect(both.get(OWNER)).toBe(other);
    expect(again).toMatch(/^https:\/\//);
    expect(headshotRequests()).toEqual([`${PLAYER},${OWNER}`]);

    now = 59_999;
    await profiles.avatarUrls([PLAYER, "160"], GUILD);
    expect(headshotRequests()).toEqual([`${PLAYER},${OWNER}`, "160"]);
    now = 60_000;
    await profiles.avatarUrl(PLAYER, GUILD);
    expect(headshotRequests()).toEqual([`${PLAYER},${OWNER}`, "160", PLAYER]);
  });

  it("asks again for an avatar still rendering", async () => {
    expect(await profiles.avatarUrl("160", GUILD)).toBeUndefined();
    expect(await profiles.avatarUrl("160", GUILD)).toBeUndefined();
    expect(headshotRequests()).toEqual(["160", "160"]);
  });

  it("reads a profile once a minute per guild, since each guild's key decides what it shows", async () => {
    const roblox = h.client.withKey(FULL_KEY);
    const [first, second] = await Promise.all([profiles.profile(roblox, PLAYER, GUILD), profiles.profile(roblox, PLAYER, GUILD)]);
    expect(second).toBe(first);
    expect(first.name).toBe("Builderman");
    expect(profileReads()).toBe(1);
    await profiles.profile(roblox, PLAYER, OTHER_GUILD);
    expect(profileReads()).toBe(2);
    now = 60_000;
    await profiles.profile(roblox, PLAYER, GUILD);
    expect(profileReads()).toBe(3);
  });
});
