import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CUSTOM_ID_MAX_LENGTH, decodeCustomId, encodeCustomId, type CustomId } from "../../src/discord/customIds.js";
import { caseAction } from "../../src/db/schema.js";

const ROUND_TRIPS: [string, CustomId][] = [
  ["jr:a:7:156", { kind: "joinRequest", decision: "accept", groupId: "7", userId: "156" }],
  ["jr:d:7:156", { kind: "joinRequest", decision: "decline", groupId: "7", userId: "156" }],
  ["ban:ok:Ab3_-xyz12", { kind: "confirmBan", token: "Ab3_-xyz12" }],
  ["bans:pg:Ab3_-xyz12:2", { kind: "bansPage", token: "Ab3_-xyz12", page: 2 }],
  ["jrb:ok:Ab3_-xyz12", { kind: "confirmBulk", token: "Ab3_-xyz12" }],
  ["mb:ok:Ab3_-xyz12", { kind: "massRun", action: "start", token: "Ab3_-xyz12" }],
  ["mb:no:Ab3_-xyz12", { kind: "massRun", action: "drop", token: "Ab3_-xyz12" }],
  ["mb:x:0b6f1f8e-2c4a-4f1e-9d3b-7a9c2e5f1a20", { kind: "cancelMassRun", runId: "0b6f1f8e-2c4a-4f1e-9d3b-7a9c2e5f1a20" }],
  ["pick:Ab3_-xyz12:100003", { kind: "pickPlayer", token: "Ab3_-xyz12", userId: "100003" }],
  ["pick:Ab3_-xyz12:9223372036854775807", { kind: "pickPlayer", token: "Ab3_-xyz12", userId: "9223372036854775807" }],
  ["cases:pg:156:3", { kind: "casesPage", filter: { robloxUserId: "156" }, page: 3 }],
  ["cases:pg:-:0:123456789012345678:-", { kind: "casesPage", filter: { moderatorDiscordId: "123456789012345678" }, page: 0 }],
  ["cases:pg:-:2:-:join_decline", { kind: "casesPage", filter: { action: "join_decline" }, page: 2 }],
  [
    "cases:pg:9223372036854775807:999:12345678901234567890:unban",
    { kind: "casesPage", filter: { robloxUserId: "9223372036854775807", moderatorDiscordId: "12345678901234567890", action: "unban" }, page: 999 },
  ],
  ["ap:a:1", { kind: "appeal", decision: "accept", appealId: 1 }],
  ["ap:d:9007199254740991", { kind: "appeal", decision: "decline", appealId: 9007199254740991 }],
  ["setup:u:12345", { kind: "setupKey", target: "universe", id: "12345", name: undefined }],
  ["setup:g:7:Fan club: EU", { kind: "setupKey", target: "group", id: "7", name: "Fan club: EU" }],
];

/** What a decoded id may carry, as the handlers rely on it: digits for ids, a token's alphabet, a page in range. */
function expectWellFormed(id: CustomId): void {
  const robloxId = /^[0-9]{1,20}$/;
  const canonical = /^[1-9][0-9]{0,18}$/;
  const token = /^[A-Za-z0-9_-]{8,64}$/;
  switch (id.kind) {
    case "joinRequest":
      expect(id.groupId).toMatch(robloxId);
      expect(id.userId).toMatch(robloxId);
      return;
    case "confirmBan":
    case "confirmBulk":
    case "massRun":
      expect(id.token).toMatch(token);
      return;
    case "pickPlayer":
      expect(id.token).toMatch(token);
      expect(id.userId).toMatch(canonical);
      return;
    case "bansPage":
      expect(id.token).toMatch(token);
      expect(id.page).toBeLessThanOrEqual(999);
      return;
    case "casesPage":
      if (id.filter.robloxUserId !== undefined) expect(id.filter.robloxUserId).toMatch(canonical);
      if (id.filter.moderatorDiscordId !== undefined) expect(id.filter.moderatorDiscordId).toMatch(/^[0-9]{17,20}$/);
      if (id.filter.action !== undefined) expect(caseAction.enumValues).toContain(id.filter.action);
      expect(id.page).toBeLessThanOrEqual(999);
      return;
    case "cancelMassRun":
      expect(id.runId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      return;
    case "setupKey":
      expect(id.id).toMatch(robloxId);
      return;
    case "appeal":
      expect(Number.isSafeInteger(id.appealId) && id.appealId > 0).toBe(true);
      return;
  }
}


describe("custom id codec", () => {
  it.each(ROUND_TRIPS)("round-trips %s", (raw, id) => {
    expect(decodeCustomId(raw)).toEqual(id);
    expect(encodeCustomId(id)).toBe(raw);
  });

  it.each([
    "",
    "jr",
    "jr:x:7:156",
    "jr:a:7",
    "jr:a:seven:156",
    "jr:a:7:156:extra",
    "jr:a:-7:156",
    "ban:ok:short",
    "ban:ok:has space in it",
    "ban:no:Ab3_-xyz12",
    "bans:pg:Ab3_-xyz12:-1",
    "bans:pg:Ab3_-xyz12:1e2",
    "bans:pg:Ab3_-xyz12",
    "cases:pg:156",
    "cases:pg:abc:1",
    "cases:pg:156:1000",
    "cases:pg:-:1",
    "cases:pg:-:1:-:-",
    "cases:pg:156:1:-",
    "cases:pg:156:1:123:-",
    "cases:pg:156:1:-:mute",
    "cases:pg:0156:1:-:ban",
    "setup:x:1",
    "mb:go:Ab3_-xyz12",
    "mb:ok:short",
    "mb:x:Ab3_-xyz12",
    "mb:x:0b6f1f8e-2c4a-4f1e-9d3b-7a9c2e5f1a2",
    "mb:x:0b6f1f8e-2c4a-4f1e-9d3b-7a9c2e5f1a20:1",
    "pick:Ab3_-xyz12",
    "pick:Ab3_-xyz12:0",
    "pick:Ab3_-xyz12:0156",
    "pick:Ab3_-xyz12:9223372036854775808",
    "pick:Ab3_-xyz12:builderman",
    "pick:short:156",
    "setup:u:",
    "setup:u:1:",
    "ap:a:0",
    "ap:a:007",
    "ap:a:-1",
    "ap:x:1",
    "ap:d:9007199254740992",
    "ap:a:1:2",
    "something:else",
    `jr:a:7:${"1".repeat(200)}`,
    `setup:u:1:${"n".repeat(91)}`,
  ])("rejects %j", (raw) => {
    expect(decodeCustomId(raw)).toBeUndefined();
  });

  it("keeps a long name within Discord's 100-character limit", () => {
    const raw = encodeCustomId({ kind: "setupKey", target: "universe", id: "1", name: "n".repeat(200) });
    expect(raw).toHaveLength(CUSTOM_ID_MAX_LENGTH);
    expect(decodeCustomId(raw)).toMatchObject({ kind: "setupKey", id: "1" });
  });

  it("cuts a long name between characters, never inside one", () => {
    const name = `a${"😀".repeat(60)}`;
    const raw = encodeCustomId({ kind: "setupKey", target: "universe", id: "1", name });
    expect(raw.length).toBeLessThanOrEqual(CUSTOM_ID_MAX_LENGTH);
    expect(raw.endsWith("😀")).toBe(true);
    const decoded = decodeCustomId(raw);
    expect(decoded).toMatchObject({ kind: "setupKey", id: "1" });
    expect(decoded).toMatchObject({ name: `a${"😀".repeat(44)}` });
  });

  it.each([
    ["ban:ok:", "A".repeat(8)],
    ["ban:ok:", "A".repeat(64)],
    ["jr:a:7:", "1".repeat(20)],
    ["bans:pg:Ab3_-xyz12:", "999"],
    ["cases:pg:-:0:", "1".repeat(17) + ":-"],
    ["cases:pg:-:0:", "1".repeat(20) + ":-"],
  ])("accepts %s%s at the edge of its field", (prefix, field) => {
    expect(decodeCustomId(prefix + field)).toBeDefined();
  });

  it.each([
    ["ban:ok:", "A".repeat(7)],
    ["ban:ok:", "A".repeat(65)],
    ["jr:a:7:", "1".repeat(21)],
    ["jr:a:", "1".repeat(21) + ":7"],
    ["bans:pg:Ab3_-xyz12:", "1000"],
    ["cases:pg:-:0:", "1".repeat(16) + ":-"],
    ["cases:pg:-:0:", "1".repeat(21) + ":-"],
  ])("rejects %s%s, one past the edge of its field", (prefix, field) => {
    expect(decodeCustomId(prefix + field)).toBeUndefined();
  });

  it("reads any text one keystroke away from a real id as nothing, or as a well-formed id", () => {
    const keys = [":", "-", "_", "!", " ", "0", "1", "a", "Z"];
    for (const [raw] of ROUND_TRIPS) {
      const edits = new Set<string>();
      for (let at = 0; at <= raw.length; at++) {
        edits.add(raw.slice(0, at) + raw.slice(at + 1));
        for (const key of keys) {
          edits.add(raw.slice(0, at) + key + raw.slice(at));
          edits.add(raw.slice(0, at) + key + raw.slice(at + 1));
        }
      }
      for (const edited of edits) {
        const decoded = decodeCustomId(edited);
        if (decoded === undefined) continue;
        expectWellFormed(decoded);
        expect(decodeCustomId(encodeCustomId(decoded)), edited).toEqual(decoded);
      }
    }
  });

  it("decodes every id it encodes to what was encoded", () => {
    const token = fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/);
    const robloxId = fc.stringMatching(/^[0-9]{1,20}$/);
    const userId = fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }).map(String);
    const page = fc.integer({ min: 0, max: 999 });
    const snowflake = fc.stringMatching(/^[0-9]{17,20}$/);
    const id: fc.Arbitrary<CustomId> = fc.oneof(
      fc.record({ kind: fc.constant("joinRequest"), decision: fc.constantFrom("accept", "decline"), groupId: robloxId, userId: robloxId }),
      fc.record({ kind: fc.constant("confirmBan"), token }),
      fc.record({ kind: fc.constant("pickPlayer"), token, userId }),
      fc.record({ kind: fc.constant("bansPage"), token, page }),
      fc.record({ kind: fc.constant("confirmBulk"), token }),
      fc.record({ kind: fc.constant("massRun"), action: fc.constantFrom("start", "drop"), token }),
      fc.record({ kind: fc.constant("cancelMassRun"), runId: fc.uuid({ version: 4 }) }),
      fc.record({ kind: fc.constant("casesPage"), filter: fc.record({ robloxUserId: userId }), page }),
      fc.record({
        kind: fc.constant("casesPage"),
        filter: fc.record({
          robloxUserId: fc.option(userId, { nil: undefined }),
          moderatorDiscordId: snowflake,
          action: fc.option(fc.constantFrom(...caseAction.enumValues), { nil: undefined }),
        }),
        page,
      }),
      fc.record({
        kind: fc.constant("setupKey"),
        target: fc.constantFrom("universe", "group"),
        id: robloxId,
        name: fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: undefined }),
      }),
    );
    fc.assert(
      fc.property(id, (original) => {
        const raw = encodeCustomId(original);
        expect(raw.length).toBeLessThanOrEqual(CUSTOM_ID_MAX_LENGTH);
        expect(decodeCustomId(raw)).toEqual(original);
      }),
    );
  });
});
