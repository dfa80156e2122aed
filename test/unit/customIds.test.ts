import { describe, expect, it } from "vitest";
import { CUSTOM_ID_MAX_LENGTH, decodeCustomId, encodeCustomId, type CustomId } from "../../src/discord/customIds.js";

describe("custom id codec", () => {
  it.each<[string, CustomId]>([
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
  ])("round-trips %s", (raw, id) => {
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
});
