import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  PermissionDeniedError,
  PlayerUpdateLimitError,
  WriteNotAppliedError,
  newIdempotencyKey,
  userMessage,
} from "../../src/opencloud/index.js";
import { FULL_KEY, type Harness, OTHER_PLACE, PLACE, PLAYER, READ_KEY, UNIVERSE, addPlayers, rejectionOf, startHarness } from "./harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const bans = () => h.client.withKey(FULL_KEY).userRestrictions;
const patches = () => h.oc.calls.filter((call) => call.method === "PATCH");

describe("get", () => {
  it("reads a player never banned as an inactive restriction, at universe and place level", async () => {
    const universe = await bans().get({ universeId: UNIVERSE, userId: PLAYER });
    expect(universe).toMatchObject({ path: `universes/1/user-restrictions/156`, placeId: null, userId: PLAYER, active: false });
    const place = await bans().get({ universeId: UNIVERSE, placeId: PLACE, userId: PLAYER });
    expect(place).toMatchObject({ path: `universes/1/places/10/user-restrictions/156`, placeId: PLACE, active: false });
  });

  it("shows a universe ban at every place as inherited", async () => {
    h.oc.banFromCreatorHub({ universeId: UNIVERSE, userId: PLAYER, moderatorId: "700", privateReason: "hub" });
    const place = await bans().get({ universeId: UNIVERSE, placeId: PLACE, userId: PLAYER });
    expect(place).toMatchObject({ active: true, inherited: true, privateReason: "hub" });
  });
});

describe("ban and unban", () => {
  it("bans permanently with the whole gameJoinRestriction, an update mask and an idempotency key", async () => {
    const result = await bans().ban({
      universeId: UNIVERSE,
      userId: PLAYER,
      privateReason: "exploiting",
      displayReason: "Banned for exploiting",
    });
    expect(result).toMatchObject({ active: true, durationSeconds: null, endTime: null, privateReason: "exploiting", excludeAltAccounts: false });
    expect(h.oc.restriction(UNIVERSE, PLAYER)).toMatchObject({ active: true, privateReason: "exploiting", displayReason: "Banned for exploiting" });
    expect(h.oc.restriction(UNIVERSE, PLAYER)?.duration).toBeUndefined();

    const [patch] = patches();
    expect(patch?.path).toBe("/cloud/v2/universes/1/user-restrictions/156");
    expect(patch?.query.updateMask).toBe("gameJoinRestriction");
    expect(patch?.query["idempotencyKey.key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(patch?.query["idempotencyKey.firstSent"] ?? "")).not.toBeNaN();
    expect(patch?.body).toEqual({
      gameJoinRestriction: { active: true, privateReason: "exploiting", displayReason: "Banned for exploiting", excludeAltAccounts: false },
    });
    // Verified by a re-read after the write.
    expect(h.oc.calls.map((call) => call.method)).toEqual(["PATCH", "GET"]);
  });

  it("bans one place for a week, sparing alt accounts", async () => {
    const result = await bans().ban({
      universeId: UNIVERSE,
      placeId: PLACE,
      userId: PLAYER,
      durationSeconds: 604_800,
      privateReason: "spam",
      excludeAltAccounts: true,
    });
    expect(result).toMatchObject({ placeId: PLACE, active: true, inherited: false, durationSeconds: 604_800, excludeAltAccounts: true });
    expect(result.endTime?.getTime()).toBe((result.startTime?.getTime() ?? 0) + 604_800_000);
    expect(patches()[0]?.body).toMatchObject({ gameJoinRestriction: { duration: "604800s", excludeAltAccounts: true } });
    expect(h.oc.restriction(UNIVERSE, PLAYER, PLACE)).toMatchObject({ active: true, duration: "604800s" });
    expect(h.oc.restriction(UNIVERSE, PLAYER, OTHER_PLACE)).toBeUndefined();
    expect(h.oc.restriction(UNIVERSE, PLAYER)).toBeUndefined();
  });

  it("unbans, and Roblox's log shows both changes", async () => {
    await bans().ban({ universeId: UNIVERSE, userId: PLAYER, durationSeconds: 3_600, privateReason: "grief" });
    const result = await bans().unban({ universeId: UNIVERSE, userId: PLAYER, privateReason: "appeal accepted" });
    expect(result.active).toBe(false);
    expect(h.oc.restriction(UNIVERSE, PLAYER)?.active).toBe(false);
    expect(h.oc.logs(UNIVERSE).map((log) => [log.active, log.privateReason])).toEqual([
      [false, "appeal accepted"],
      [true, "grief"],
    ]);
  });

  it("applies a resent idempotency key once", async () => {
    const idempotency = newIdempotencyKey();
    const input = { universeId: UNIVERSE, userId: PLAYER, privateReason: "once", idempotency, playerLimit: "wait" as const };
    await bans().ban(input);
    await bans().ban(input);
    expect(h.oc.logs(UNIVERSE)).toHaveLength(1);
    expect(new Set(patches().map((call) => call.query["idempotencyKey.key"]))).toEqual(new Set([idempotency.key]));
  });

  it("catches the scope trap: a key that can only read gets 200 and no ban", async () => {
    const error = await rejectionOf(h.client.withKey(READ_KEY).userRestrictions.ban({ universeId: UNIVERSE, userId: PLAYER, privateReason: "x" }));
    expect(error).toBeInstanceOf(WriteNotAppliedError);
    expect(patches()[0]?.status).toBe(200);
    expect(h.oc.restriction(UNIVERSE, PLAYER)).toBeUndefined();
    expect(userMessage(error)).toContain("universe.user-restriction:write");
  });

  it("reports the missing write scope plainly when Roblox refuses instead", async () => {
    h.oc.setScopeTrap(false);
    const error = await rejectionOf(h.client.withKey(READ_KEY).userRestrictions.unban({ universeId: UNIVERSE, userId: PLAYER }));
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect((error as PermissionDeniedError).requiredScope).toBe("universe.user-restriction:write");
  });
});

describe("the per-player update limit (2 per minute per universe)", () => {
  it("throws a clear wait instead of a third update, then waits when asked to", async () => {
    const target = { universeId: UNIVERSE, userId: PLAYER };
    await bans().ban({ ...target, privateReason: "1" });
    await bans().unban(target);
    const error = await rejectionOf(bans().ban({ ...target, privateReason: "3", playerLimit: "throw" }));
    expect(error).toBeInstanceOf(PlayerUpdateLimitError);
    const wait = (error as PlayerUpdateLimitError).retryAfterMs;
    // A minute at time scale 60.
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(1_000);
    expect(userMessage(error)).toMatch(/twice in the last minute\. Try again in 1 s\./);
    expect(patches()).toHaveLength(2);

    await bans().ban({ ...target, privateReason: "3", playerLimit: "wait" });
    expect(h.oc.restriction(UNIVERSE, PLAYER)?.privateReason).toBe("3");
    expect(h.oc.calls.filter((call) => call.status === 429)).toEqual([]);
  });

  it("by default throws only when the wait is longer than playerLimitMaxWaitMs", async () => {
    const target = { universeId: UNIVERSE, userId: PLAYER };
    await bans().ban({ ...target, privateReason: "1" });
    await bans().ban({ ...target, privateReason: "2" });
    // The scaled minute (1 s) is within the default 5 s bound: this one waits.
    await bans().ban({ ...target, privateReason: "3" });
    expect(h.oc.restriction(UNIVERSE, PLAYER)?.privateReason).toBe("3");

    const strict = await startHarness({ client: { playerLimitMaxWaitMs: 0 } });
    try {
      const strictBans = strict.client.withKey(FULL_KEY).userRestrictions;
      await strictBans.ban({ ...target, privateReason: "1" });
      await strictBans.ban({ ...target, privateReason: "2" });
      await expect(strictBans.ban({ ...target, privateReason: "3" })).rejects.toBeInstanceOf(PlayerUpdateLimitError);
    } finally {
      await strict.close();
    }
  });
});

describe("list", () => {
  beforeEach(() => {
    for (const id of addPlayers(h.oc, 25)) {
      h.oc.banFromCreatorHub({ universeId: UNIVERSE, userId: id, moderatorId: "700", privateReason: `ban ${id}` });
    }
    h.oc.clearCalls();
  });

  it("pages through to the last page", async () => {
    const sizes: number[] = [];
    const tokens: (string | null)[] = [];
    for await (const page of bans().list({ universeId: UNIVERSE, maxPageSize: 10 })) {
      sizes.push(page.items.length);
      tokens.push(page.nextPageToken);
    }
    expect(sizes).toEqual([10, 10, 5]);
    expect(tokens[2]).toBeNull();
    const lists = h.oc.calls.filter((call) => call.path.endsWith("/user-restrictions"));
    expect(lists.map((call) => call.query.maxPageSize)).toEqual(["10", "10", "10"]);
    expect(lists[0]?.query.pageToken).toBeUndefined();
  });

  it("iterates single entries, and stops calling when the loop stops", async () => {
    const all: string[] = [];
    for await (const restriction of bans().list({ universeId: UNIVERSE, maxPageSize: 7 }).items()) all.push(restriction.userId);
    expect(new Set(all).size).toBe(25);

    h.oc.clearCalls();
    for await (const restriction of bans().list({ universeId: UNIVERSE, maxPageSize: 7 }).items()) {
      expect(restriction.active).toBe(true);
      break;
    }
    expect(h.oc.calls).toHaveLength(1);
  });

  it("fetches one page from a token, as a 'next' button would", async () => {
    const first = await bans().list({ universeId: UNIVERSE, maxPageSize: 20 }).page();
    expect(first.nextPageToken).not.toBeNull();
    const second = await bans().list({ universeId: UNIVERSE, maxPageSize: 20, pageToken: first.nextPageToken ?? "" }).page();
    expect(second.items).toHaveLength(5);
    expect(second.nextPageToken).toBeNull();
  });

  it("lists a place, its own bans and the universe's", async () => {
    h.oc.banFromGameServer({ universeId: UNIVERSE, placeId: PLACE, userId: PLAYER, privateReason: "server" });
    const items = [];
    for await (const restriction of bans().list({ universeId: UNIVERSE, placeId: PLACE, maxPageSize: 100 }).items()) items.push(restriction);
    expect(items).toHaveLength(26);
    expect(items.find((r) => r.userId === PLAYER)).toMatchObject({ placeId: PLACE, inherited: false, privateReason: "server" });
    expect(items.find((r) => r.userId === "2000")).toMatchObject({ placeId: PLACE, inherited: true });
  });
});

describe("listLogs", () => {
  beforeEach(() => {
    h.oc.banFromCreatorHub({ universeId: UNIVERSE, userId: PLAYER, moderatorId: "700", privateReason: "hub" });
    h.oc.banFromGameServer({ universeId: UNIVERSE, placeId: PLACE, userId: PLAYER, privateReason: "script" });
    for (const id of addPlayers(h.oc, 12)) h.oc.banFromGameServer({ universeId: UNIVERSE, userId: id });
  });

  it("shows bans made outside Discord with who made them", async () => {
    const entries = [];
    for await (const entry of bans().listLogs({ universeId: UNIVERSE, userId: PLAYER }).items()) entries.push(entry);
    expect(entries.map((e) => [e.placeId, e.moderator, e.privateReason])).toEqual([
      [PLACE, { kind: "gameServerScript" }, "script"],
      [null, { kind: "robloxUser", userId: "700" }, "hub"],
    ]);
    expect(h.oc.calls.at(-1)?.query.filter).toBe("user == 'users/156'");
  });

  it("filters by place, and by user and place together", async () => {
    const byPlace = await bans().listLogs({ universeId: UNIVERSE, placeId: PLACE }).page();
    expect(byPlace.items.map((e) => e.privateReason)).toEqual(["script"]);
    const both = await bans().listLogs({ universeId: UNIVERSE, userId: PLAYER, placeId: OTHER_PLACE }).page();
    expect(both.items).toEqual([]);
    expect(h.oc.calls.at(-1)?.query.filter).toBe("user == 'users/156' && place == 'places/11'");
  });

  it("pages through every log entry", async () => {
    const pages = [];
    for await (const page of bans().listLogs({ universeId: UNIVERSE, maxPageSize: 5 })) pages.push(page.items.length);
    expect(pages).toEqual([5, 5, 4]);
  });
});
