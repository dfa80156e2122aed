import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { UnauthenticatedError } from "../../src/opencloud/index.js";
import { AmbiguousPlayerError, exactPlayer, resolvePlayer } from "../../src/services/moderation/resolvePlayer.js";
import { PlayerProfiles } from "../../src/services/playerProfiles.js";
import { canonicalId } from "../../src/services/robloxIds.js";
import { PlayerSuggester } from "../../src/services/moderation/suggestPlayers.js";
import { UserError } from "../../src/services/userError.js";
import { FULL_KEY, PLAYER, type Harness, rejectionOf, startHarness } from "../opencloud/harness.js";

/** 100003 is an account's id and, as a name, another account's: the case that must be asked about. */
const DIGITS = "100003";

describe("resolving the player a moderator typed", () => {
  let h: Harness;
  const resolve = (typed: string, key = FULL_KEY) =>
    resolvePlayer({ openCloud: h.client, profiles: new PlayerProfiles(h.client) }, h.client.withKey(key), typed, "123456789012345678");
  const lookups = () => h.oc.calls.filter((call) => call.path.startsWith("/cloud/v2/users/") || call.path === "/v1/usernames/users");

  beforeAll(async () => {
    h = await startHarness();
    h.oc.addUser({ id: DIGITS, name: "IdHolder", displayName: "Holder" });
    h.oc.addUser({ id: "100004", name: DIGITS, displayName: "Digits" });
    h.oc.addUser({ id: "100005", name: "100005" });
    h.oc.addUser({ id: "100006", name: "zeroes", previousNames: ["000777"] });
    h.oc.addUser({ id: "777", name: "Sevens" });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.oc.clearCalls();
  });

  it("asks, with both accounts and their avatars, when digits are one account's id and another's username", async () => {
    const error = await rejectionOf(resolve(DIGITS));
    expect(error).toBeInstanceOf(AmbiguousPlayerError);
    const { candidates } = error as AmbiguousPlayerError;
    expect(candidates).toEqual([
      { id: DIGITS, name: "IdHolder", displayName: "Holder", avatarUrl: expect.stringContaining("https://") },
      { id: "100004", name: DIGITS, displayName: "Digits", avatarUrl: expect.stringContaining("https://") },
    ]);
    expect(error).toMatchObject({
      name: "AmbiguousPlayerError",
      message:
        "`100003` is the id of **IdHolder** and the username of **100003** (id 100004). " +
        "Nothing was done: pick the player from the suggestions, which are exact.",
    });
    // Both looked up, the id with users.get and the name on the public host.
    expect(lookups().map((call) => call.path).sort()).toEqual([`/cloud/v2/users/${DIGITS}`, "/v1/usernames/users"]);
  });

  it("takes the one account when the id and the username are the same account", async () => {
    expect(await resolve("100005")).toMatchObject({ id: "100005", name: "100005" });
  });

  it("takes the exact id of a picked suggestion without looking at names", async () => {
    expect(await resolve(`id:${DIGITS}`)).toMatchObject({ id: DIGITS, name: "IdHolder" });
    expect(await resolve("id:100004")).toMatchObject({ id: "100004", name: DIGITS });
    expect(lookups().every((call) => call.path.startsWith("/cloud/v2/users/"))).toBe(true);
  });

  it("reads a name or id as typed around spaces and an @, and a suggestion's exact form", async () => {
    expect(await resolve(" @Builderman ")).toMatchObject({ id: PLAYER, name: "Builderman" });
    expect(await resolve(` ${PLAYER} `)).toMatchObject({ id: PLAYER, name: "Builderman" });
    expect(await resolve(exactPlayer("777"))).toEqual({ id: "777", name: "Sevens", displayName: "Sevens" });
  });

  it("passes on a failure other than a missing account instead of calling the player nobody", async () => {
    expect(await rejectionOf(resolve("777", "unknown-key-Qq11"))).toBeInstanceOf(UnauthenticatedError);
  });

  it("takes the one that exists when only the id or only the name does", async () => {
    expect(await resolve(PLAYER)).toMatchObject({ id: PLAYER, name: "Builderman" });
    expect(await resolve("builderman")).toMatchObject({ id: PLAYER });
  });

  it("reads digits with leading zeros as a name only, never as an id", async () => {
    expect(await resolve("000777")).toMatchObject({ id: "100006", name: "zeroes" });
    expect(lookups().some((call) => call.path.startsWith("/cloud/v2/users/"))).toBe(false);
  });

  it("reads digits past 2^63-1 as a name only", async () => {
    const error = await rejectionOf(resolve("9223372036854775808"));
    expect((error as UserError).message).toBe("No Roblox user is named `9223372036854775808`. Check the spelling, or use their user id.");
    expect(lookups().map((call) => call.path)).toEqual(["/v1/usernames/users"]);
  });

  it.each([
    ["424242", "No Roblox user has the id 424242, and none is named `424242`."],
    ["42", "No Roblox user has the id 42."],
    ["id:424242", "No Roblox user has the id 424242."],
    ["id:0777", "No Roblox user has the id 0777."],
    ["0", "`0` is not a Roblox username (3-20 letters, digits or _) or user id."],
    ["no such one", "`no such one` is not a Roblox username (3-20 letters, digits or _) or user id."],
    ["Build@erman", "`Build@erman` is not a Roblox username (3-20 letters, digits or _) or user id."],
    ["Builderman!", "`Builderman!` is not a Roblox username (3-20 letters, digits or _) or user id."],
    ["xid:777", "`xid:777` is not a Roblox username (3-20 letters, digits or _) or user id."],
    ["id:777x", "`id:777x` is not a Roblox username (3-20 letters, digits or _) or user id."],
  ])("says clearly that %j is nobody", async (typed, message) => {
    const error = await rejectionOf(resolve(typed));
    expect(error).toBeInstanceOf(UserError);
    expect(error).not.toBeInstanceOf(AmbiguousPlayerError);
    expect((error as UserError).message).toBe(message);
  });

  it("makes no call for an exact id no account can have", async () => {
    await rejectionOf(resolve("id:0777"));
    expect(lookups()).toEqual([]);
  });

  it.each([
    ["156", "156"],
    ["9223372036854775807", "9223372036854775807"],
    ["9223372036854775808", undefined],
    ["0", undefined],
    ["0156", undefined],
    ["", undefined],
    ["1e3", undefined],
  ])("counts %j as the id %j", (text, id) => {
    expect(canonicalId(text)).toBe(id);
  });
});

describe("autocomplete's player suggestions", () => {
  let h: Harness;
  let now = 0;
  let suggester: PlayerSuggester;
  const nameLookups = () => h.oc.calls.filter((call) => call.path === "/v1/usernames/users").length;

  beforeAll(async () => {
    h = await startHarness();
    h.oc.addUser({ id: "100004", name: DIGITS, displayName: "Digits" });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    now = 0;
    suggester = new PlayerSuggester(h.client, () => now);
    h.oc.clearCalls();
  });

  it("offers a username's account and the digits as an id, both exact", async () => {
    expect(await suggester.suggest(DIGITS)).toEqual([
      { kind: "name", player: { id: "100004", name: DIGITS, displayName: "Digits" } },
      { kind: "id", id: DIGITS },
    ]);
    expect(await suggester.suggest("0123")).toEqual([]);
  });

  it("asks Roblox once for the same text within a minute, in any case, and again after", async () => {
    await suggester.suggest("Builderman");
    await suggester.suggest("builderman");
    await Promise.all([suggester.suggest("nobody_here"), suggester.suggest("nobody_here")]);
    expect(nameLookups()).toBe(2);
    now = 60_000;
    await suggester.suggest("builderman");
    expect(nameLookups()).toBe(3);
  });
});
