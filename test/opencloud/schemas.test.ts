import { describe, expect, it } from "vitest";
import { missingScopes } from "../../src/opencloud/apiKeys.js";
import { idFromPath, toId } from "../../src/opencloud/ids.js";
import {
  MAX_DURATION_SECONDS,
  formatDuration,
  introspectionSchema,
  parseDuration,
  parseTime,
  restrictionLogSchema,
  userRestrictionSchema,
  userSchema,
} from "../../src/opencloud/schemas.js";
import { restrictionLogFilter } from "../../src/opencloud/userRestrictions.js";

describe("durations", () => {
  it("formats whole seconds as a protobuf Duration", () => {
    expect(formatDuration(604_800)).toBe("604800s");
    expect(formatDuration(1)).toBe("1s");
    expect(formatDuration(MAX_DURATION_SECONDS)).toBe("315576000000s");
  });

  it.each([0, -5, 1.5, Number.NaN, MAX_DURATION_SECONDS + 1])("refuses %s seconds", (seconds) => {
    expect(() => formatDuration(seconds)).toThrow(RangeError);
  });

  it("parses what Roblox sends", () => {
    expect(parseDuration("604800s")).toBe(604_800);
    expect(parseDuration("3.5s")).toBe(3.5);
    expect(parseDuration("7d")).toBeUndefined();
  });
});

describe("parseTime", () => {
  it("keeps milliseconds of a nanosecond timestamp", () => {
    expect(parseTime("2024-01-01T00:00:00.123456789Z")?.toISOString()).toBe("2024-01-01T00:00:00.123Z");
    expect(parseTime(undefined)).toBeNull();
    expect(parseTime("yesterday")).toBeNull();
  });
});

describe("ids", () => {
  it("accepts digits only", () => {
    expect(toId(156, "userId")).toBe("156");
    expect(toId(" 156 ", "userId")).toBe("156");
    for (const bad of ["", "1/2", "users/1", "1' || true", "-3", 1.5]) expect(() => toId(bad, "userId")).toThrow(RangeError);
  });

  it("reads ids out of resource paths", () => {
    expect(idFromPath("universes/1/places/2/user-restrictions/156", "places")).toBe("2");
    expect(idFromPath("users/156", "users")).toBe("156");
    expect(idFromPath("", "places")).toBeNull();
  });
});

describe("userRestrictionSchema", () => {
  it("fills proto3's omitted defaults for a player never banned", () => {
    const parsed = userRestrictionSchema.parse({ path: "universes/1/user-restrictions/156", user: "users/156", gameJoinRestriction: {} });
    expect(parsed).toMatchObject({ universeId: "1", placeId: null, userId: "156", active: false, durationSeconds: null, endTime: null, privateReason: "", inherited: false });
  });

  it("computes when a timed ban ends, at a place", () => {
    const parsed = userRestrictionSchema.parse({
      path: "universes/1/places/2/user-restrictions/156",
      gameJoinRestriction: { active: true, startTime: "2024-01-01T00:00:00Z", duration: "3600s", excludeAltAccounts: true },
    });
    expect(parsed).toMatchObject({ placeId: "2", active: true, durationSeconds: 3_600, excludeAltAccounts: true });
    expect(parsed.endTime?.toISOString()).toBe("2024-01-01T01:00:00.000Z");
  });

  it("refuses a body that is not a restriction", () => {
    expect(userRestrictionSchema.safeParse({ path: "users/1" }).success).toBe(false);
    expect(userRestrictionSchema.safeParse({ path: "universes/1/user-restrictions/1", gameJoinRestriction: { duration: "forever" } }).success).toBe(false);
  });
});

describe("restrictionLogSchema", () => {
  it("tells Creator Hub, game servers and unknown moderators apart", () => {
    const base = { user: "users/156", createTime: "2024-01-01T00:00:00Z" };
    expect(restrictionLogSchema.parse({ ...base, moderator: { robloxUser: "users/9" } }).moderator).toEqual({ kind: "robloxUser", userId: "9" });
    expect(restrictionLogSchema.parse({ ...base, moderator: { gameServerScript: {} } }).moderator).toEqual({ kind: "gameServerScript" });
    expect(restrictionLogSchema.parse(base)).toMatchObject({ moderator: { kind: "unknown" }, placeId: null, active: false });
    expect(restrictionLogSchema.parse({ ...base, place: "places/4" }).placeId).toBe("4");
  });
});

describe("restrictionLogFilter", () => {
  it("builds the CEL subset :listLogs accepts", () => {
    expect(restrictionLogFilter({})).toBeUndefined();
    expect(restrictionLogFilter({ userId: 123 })).toBe("user == 'users/123'");
    expect(restrictionLogFilter({ userId: "123", placeId: "456" })).toBe("user == 'users/123' && place == 'places/456'");
    expect(() => restrictionLogFilter({ userId: "1' || '1" })).toThrow(RangeError);
  });
});

describe("userSchema", () => {
  it("marks default values of scope-gated fields as possibly hidden", () => {
    const hidden = userSchema.parse({ path: "users/1", id: "1", name: "a" });
    expect(hidden.idVerified).toEqual({ value: false, mayBeHidden: true });
    expect(hidden.socialNetworkProfiles.mayBeHidden).toBe(true);
    const known = userSchema.parse({ path: "users/1", id: "1", name: "a", idVerified: true, socialNetworkProfiles: { twitch: "t", visibility: "EVERYONE" } });
    expect(known.idVerified).toEqual({ value: true, mayBeHidden: false });
    expect(known.socialNetworkProfiles.mayBeHidden).toBe(false);
    expect(known.socialNetworkProfiles.value.twitch).toBe("t");
  });
});

describe("missingScopes", () => {
  const key = introspectionSchema.parse({
    name: "k",
    authorizedUserId: 7,
    scopes: [
      { name: "universe.user-restriction", operations: ["read"], universeIds: ["1", 2] },
      { name: "group", operations: ["read", "write"], groupIds: ["*"] },
    ],
    enabled: true,
  });

  it("lists what the key lacks for a universe or group", () => {
    expect(key.authorizedUserId).toBe("7");
    expect(
      missingScopes(key, [
        { scope: "universe.user-restriction:read", universeId: 1 },
        { scope: "universe.user-restriction:write", universeId: 1 },
        { scope: "universe.user-restriction:read", universeId: 3 },
        { scope: "group:write", groupId: 99 },
        { scope: "user.advanced:read" },
      ]),
    ).toEqual(["universe.user-restriction:write", "universe.user-restriction:read", "user.advanced:read"]);
  });
});
