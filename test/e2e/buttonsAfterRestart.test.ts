import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cases } from "../../src/db/schema.js";
import { addExperienceWithKey, channelId, grant, linkThroughForm, memberId, replyTo, roleId, startStack, textOf, type Stack } from "./stack.js";

const UNIVERSE = "9301";
const KEY = `restart-key-${"r".repeat(60)}`;
const OUT_OF_BAND = 11;

describe("buttons made before a restart, clicked after it", () => {
  let stack: Stack;
  let alice: string;
  let general: string;
  let modLog: string;
  const buttonOf = (message: { components?: unknown }, pattern: string) =>
    JSON.stringify(message.components).match(new RegExp(`"custom_id":"(${pattern})"`))?.[1] ?? "";

  beforeAll(async () => {
    stack = await startStack();
    alice = memberId(stack, "alice");
    general = channelId(stack, "general");
    modLog = channelId(stack, "mod-log");
    addExperienceWithKey(stack.roblox, { universeId: UNIVERSE, name: "Restart Run", placeId: "9302", ownerId: "95", key: KEY });
    stack.roblox.addUser({ id: "95", name: "RestartOwner" });
    stack.roblox.addUser({ id: "30001", name: "persistent_raider" });
    // Digits that are one account's id and another's username: /ban asks which one.
    stack.roblox.addUser({ id: "30002", name: "IdHolder" });
    stack.roblox.addUser({ id: "30003", name: "30002" });
    for (let index = 0; index < OUT_OF_BAND; index += 1) {
      const userId = String(31_000 + index);
      stack.roblox.addUser({ id: userId, name: `listed${index}` });
      stack.roblox.banFromCreatorHub({ universeId: UNIVERSE, userId, moderatorId: "95", privateReason: `raid ${index}` });
    }
    await linkThroughForm(stack, "experience", UNIVERSE, KEY);
    await replyTo(stack, stack.guild.ownerId, "setup", "channels", { log: modLog });
    await grant(stack, { type: "role", id: roleId(stack, "Moderator") }, "ban", "lookup");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("bans exactly once on a permanent-ban confirmation asked before the restart, however often it is clicked after", async () => {
    const asked = await (
      await stack.discord.runCommand({
        guildId: stack.guild.id,
        channelId: general,
        userId: alice,
        name: "ban",
        options: { user: "persistent_raider", duration: "perm", reason: "came back" },
      })
    ).waitForReply();
    expect(textOf(asked)).toContain("**permanently**");
    const confirm = buttonOf(asked, "ban:ok:[^\"]+");

    await stack.restart();
    stack.roblox.clearCalls();
    // Two clicks at once, as a double click sends them.
    const clicks = await Promise.all([1, 2].map(() => stack.discord.clickButton({ userId: alice, messageId: asked.id, customId: confirm })));
    await Promise.all(clicks.map((click) => click.waitForCallback()));
    const logged = await stack.discord.waitForMessage(modLog, (message) => textOf(message).includes("persistent_raider"));
    expect(textOf(logged)).toContain("applied");

    expect(stack.roblox.calls.filter((call) => call.method === "PATCH")).toHaveLength(1);
    expect(stack.roblox.restriction(UNIVERSE, "30001")).toMatchObject({ active: true });
    const recorded = await stack.database.handle.db
      .select({ status: cases.status })
      .from(cases)
      .where(and(eq(cases.guildId, stack.guild.id), eq(cases.robloxUserId, "30001")));
    expect(recorded).toEqual([{ status: "applied" }]);
    expect(stack.discord.messages(modLog).filter((message) => textOf(message).includes("persistent_raider"))).toHaveLength(1);
  });

  it("turns a /bans page listed before the restart", async () => {
    const first = await (
      await stack.discord.runCommand({ guildId: stack.guild.id, channelId: general, userId: alice, name: "bans", options: {} })
    ).waitForReply();
    expect(first.embeds[0]?.footer?.text).toMatch(/ · page 1 of 2$/);
    const next = buttonOf(first, "bans:pg:[^\"]+:1");
    expect(next).toMatch(/^bans:pg:/);

    await stack.restart();
    stack.roblox.clearCalls();
    const click = await stack.discord.clickButton({ userId: alice, messageId: first.id, customId: next });
    await click.waitForCallback();
    const second = stack.discord.message(first.id);
    expect(second?.embeds[0]?.footer?.text).toMatch(/ · page 2 of 2$/);
    expect(textOf(second ?? first)).not.toContain("expired");
    // The page is the list as read at /bans, not a new read.
    expect(stack.roblox.calls).toEqual([]);
  });

  it("carries a /ban on with the player picked after the restart, from the question asked before it", async () => {
    const asked = await (
      await stack.discord.runCommand({
        guildId: stack.guild.id,
        channelId: general,
        userId: alice,
        name: "ban",
        options: { user: "30002", duration: "1d", reason: "which one" },
      })
    ).waitForReply();
    const pick = buttonOf(asked, "pick:[^\"]+:30003");
    expect(pick).toMatch(/^pick:/);

    await stack.restart();
    stack.roblox.clearCalls();
    const click = await stack.discord.clickButton({ userId: alice, messageId: asked.id, customId: pick });
    const done = await click.waitForReply((message) => textOf(message).includes("Case #"));
    expect(textOf(done)).toContain("Banned 30002");
    expect(stack.roblox.calls.filter((call) => call.method === "PATCH").map((call) => call.path)).toEqual([
      `/cloud/v2/universes/${UNIVERSE}/user-restrictions/30003`,
    ]);
  });
});
