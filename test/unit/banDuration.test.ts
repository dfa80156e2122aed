import { describe, expect, it } from "vitest";
import { describeDuration, parseBanDuration } from "../../src/services/moderation/banDuration.js";
import { UserError } from "../../src/services/userError.js";

describe("ban durations", () => {
  it.each([
    ["30m", 1_800],
    ["12h", 43_200],
    ["7d", 604_800],
    ["2w", 1_209_600],
    [" 7D ", 604_800],
    ["perm", null],
    ["Permanent", null],
  ])("reads %j", (text, seconds) => {
    expect(parseBanDuration(text)).toBe(seconds);
  });

  it.each(["", "7", "7 days", "1y", "-5m", "1.5h", "0m", "abc", "30s"])("refuses %j with the accepted forms", (text) => {
    expect(() => parseBanDuration(text)).toThrow(UserError);
    expect(() => parseBanDuration(text)).toThrow(/30m|1 minute/);
  });

  it("refuses more than Roblox's 10,000 years", () => {
    expect(() => parseBanDuration("999999999999w")).toThrow(/10,000 years/);
  });

  it.each([
    [null, "permanent"],
    [1_800, "30 minutes"],
    [3_600, "1 hour"],
    [1_209_600, "2 weeks"],
    [90, "90 seconds"],
  ])("describes %j as %j", (seconds, words) => {
    expect(describeDuration(seconds)).toBe(words);
  });
});
