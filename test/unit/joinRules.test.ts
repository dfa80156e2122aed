import { describe, expect, it } from "vitest";
import { judgeByRules, joinRulesSchema } from "../../src/services/joinRequests/joinRules.js";
import type { JoinRequestCard } from "../../src/services/ports.js";

const NOW = new Date("2026-11-23T00:00:00Z");
const card = (overrides: Partial<JoinRequestCard> = {}): JoinRequestCard => ({
  groupId: "7",
  groupName: "Fans",
  userId: "156",
  username: "builderman",
  displayName: "Builder",
  accountCreated: new Date(NOW.getTime() - 100 * 86_400_000),
  requestedAt: NOW,
  bannedIn: [],
  previousCases: 0,
  ...overrides,
});
const rules = (input: object) => joinRulesSchema.parse(input);

describe("join rules", () => {
  it("decide nothing by default", () => {
    expect(judgeByRules(rules({}), card({ bannedIn: ["Obby"] }), NOW)).toBeUndefined();
  });

  it("decline young accounts, saying how young", () => {
    const verdict = judgeByRules(rules({ minAccountAgeDays: 30 }), card({ accountCreated: new Date(NOW.getTime() - 3 * 86_400_000) }), NOW);
    expect(verdict).toEqual({ decision: "decline", rule: "Rule: accounts must be at least 30 days old; this one is 3." });
    expect(judgeByRules(rules({ minAccountAgeDays: 30 }), card(), NOW)).toBeUndefined();
  });

  it("decline players banned in a linked experience when asked", () => {
    expect(judgeByRules(rules({ declineBannedPlayers: true }), card({ bannedIn: ["Obby"] }), NOW)).toMatchObject({
      decision: "decline",
    });
  });

  it("accept only what nothing flags, and only when turned on", () => {
    expect(judgeByRules(rules({ autoAcceptClean: true }), card(), NOW)).toMatchObject({ decision: "accept" });
    expect(judgeByRules(rules({ autoAcceptClean: true }), card({ previousCases: 1 }), NOW)).toBeUndefined();
    expect(judgeByRules(rules({ autoAcceptClean: true }), card({ bannedIn: ["Obby"] }), NOW)).toBeUndefined();
    expect(judgeByRules(rules({ autoAcceptClean: true }), card({ accountCreated: null }), NOW)).toBeUndefined();
  });

  it("refuse unknown or out-of-range settings", () => {
    expect(() => rules({ minAccountAgeDays: -1 })).toThrow();
    expect(() => rules({ autoAccept: true })).toThrow();
  });
});
