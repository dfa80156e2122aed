import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { channelId, grant, linkThroughForm, memberId, replyTo, startStack, textOf, type Stack } from "./stack.js";

const UNIVERSE = "6001";
const KEY = `case-key-${"q".repeat(60)}`;

describe("/case end to end", () => {
  let stack: Stack;
  let owner: string;
  let bob: string;
  beforeAll(async () => {
    stack = await startStack();
    owner = memberId(stack, "owner");
    bob = memberId(stack, "bob");
    stack.roblox.addUniverse({ id: UNIVERSE, displayName: "Case Cafe", placeIds: ["6002"] });
    stack.roblox.addUser({ id: "92", name: "CaseOwner" });
    stack.roblox.addUser({ id: "500", name: "rulebreaker" });
    stack.roblox.addApiKey({
      key: KEY,
      ownerId: "92",
      scopes: [{ name: "universe.user-restriction", operations: ["read", "write"], universeIds: [UNIVERSE] }],
    });
    await linkThroughForm(stack, "experience", UNIVERSE, KEY);
    await replyTo(stack, owner, "setup", "channels", { log: channelId(stack, "mod-log") });
    await replyTo(stack, owner, "ban", undefined, { user: "rulebreaker", duration: "1d", reason: "first reason" });
    await grant(stack, { type: "user", id: bob }, "lookup");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("edits the reason, keeps a note of who changed what, and edits the same mod-log message", async () => {
    const modLog = channelId(stack, "mod-log");
    const posted = await stack.discord.waitForMessage(modLog, (message) => textOf(message).includes("Case #1 · Ban"));
    expect(textOf(posted)).toContain("first reason");

    expect(await replyTo(stack, owner, "case", "reason", { number: 1, reason: "better reason" })).toContain(
      "Case #1's reason is now: better reason",
    );
    const edited = stack.discord.message(posted.id);
    expect(textOf(edited ?? posted)).toContain("better reason");
    expect(textOf(edited ?? posted)).not.toContain("first reason");
    expect(stack.discord.messages(modLog).filter((message) => textOf(message).includes("Case #1 · Ban"))).toHaveLength(1);

    const shown = await replyTo(stack, bob, "case", "show", { number: 1 });
    expect(shown).toContain("better reason");
    expect(shown).toContain(`<@${owner}>: Reason changed from "first reason" to "better reason".`);
  });

  it("lists a player's cases by username or id", async () => {
    expect(await replyTo(stack, bob, "case", "list", { user: "rulebreaker" })).toContain("**#1** ban · applied");
    expect(await replyTo(stack, bob, "case", "list", { user: "500" })).toContain("**#1** ban · applied");
    expect(await replyTo(stack, bob, "case", "list", { user: "nobody_at_all" })).toContain("No Roblox user is named");
  });

  it("needs manage_cases to change a reason, and says so for an unknown case", async () => {
    expect(await replyTo(stack, bob, "case", "reason", { number: 1, reason: "mine" })).toContain(
      "You need Warden's `manage_cases` permission",
    );
    expect(await replyTo(stack, bob, "case", "show", { number: 99 })).toContain("There is no case #99");
  });

  it("declares the case-number column's range, so Discord refuses a number it cannot hold", async () => {
    await expect(replyTo(stack, bob, "case", "show", { number: 2 ** 31 })).rejects.toThrow("above 2147483647");
    await expect(replyTo(stack, owner, "case", "reason", { number: 2 ** 31, reason: "x" })).rejects.toThrow("above 2147483647");
    expect(await replyTo(stack, bob, "case", "show", { number: 2 ** 31 - 1 })).toContain("There is no case #2147483647");
  });

  it("suggests case numbers as they are typed", async () => {
    const choices = await stack.discord.autocomplete({
      guildId: stack.guild.id,
      channelId: channelId(stack, "general"),
      userId: bob,
      name: "case",
      subcommand: "show",
      focused: "number",
      value: "1",
    });
    expect(choices).toEqual([{ name: "#1 ban rulebreaker", value: 1 }]);
  });
});
