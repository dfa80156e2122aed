import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokePermission } from "../../src/db/staffGrants.js";
import { MAX_PAGES } from "../../src/services/moderation/activeBans.js";
import { addExperienceWithKey, grant, linkThroughForm, memberId, replyTo, startStack, textOf, type Stack } from "./stack.js";

const UNIVERSE = "8001";
const KEY = `bans-key-${"b".repeat(60)}`;
const OUT_OF_BAND = 125;

/** Runs /bans as `userId` in #general and returns the first page. */
async function listBans(stack: Stack, userId: string) {
  const handle = await stack.discord.runCommand({ guildId: stack.guild.id, channelId: stack.guild.channels.general ?? "", userId, name: "bans", options: {} });
  return handle.waitForReply();
}

describe("/bans end to end", () => {
  let stack: Stack;
  let bob: string;
  beforeAll(async () => {
    stack = await startStack();
    bob = memberId(stack, "bob");
    stack.roblox.addUniverse({ id: UNIVERSE, displayName: "Big Game", placeIds: ["8002"] });
    stack.roblox.addUser({ id: "94", name: "BigOwner" });
    stack.roblox.addApiKey({
      key: KEY,
      ownerId: "94",
      scopes: [{ name: "universe.user-restriction", operations: ["read", "write"], universeIds: [UNIVERSE] }],
    });
    for (let index = 0; index < OUT_OF_BAND; index += 1) {
      const userId = String(10_000 + index);
      stack.roblox.addUser({ id: userId, name: `raider${index}` });
      stack.roblox.banFromCreatorHub({ universeId: UNIVERSE, userId, moderatorId: "94", privateReason: `raid ${index}` });
    }
    stack.roblox.addUser({ id: "20000", name: "latest" });
    await linkThroughForm(stack, "experience", UNIVERSE, KEY);
    await replyTo(stack, memberId(stack, "owner"), "ban", undefined, { user: "latest", duration: "1d", reason: "newest ban" });
    await grant(stack, { type: "user", id: bob }, "lookup");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("lists every active ban across Roblox's pages, newest first, ten to a page with working buttons", async () => {
    stack.roblox.clearCalls();
    const first = await listBans(stack, bob);
    const firstText = textOf(first);
    expect(firstText).toContain("Bans in Big Game");
    expect(firstText.split("\n").find((line) => line.includes("·"))).toContain("[latest](https://www.roblox.com/users/20000/profile)");
    expect(firstText).toContain("newest ban");
    expect(first.embeds[0]?.footer?.text).toBe(`${OUT_OF_BAND + 1} bans · page 1 of 13`);

    const lists = stack.roblox.calls.filter((call) => call.method === "GET" && call.path.endsWith("/user-restrictions"));
    expect(lists).toHaveLength(2);
    expect(lists[1]?.query.pageToken).toBeTruthy();

    const nextId = JSON.stringify(first.components).match(/"custom_id":"(bans:pg:[^"]+:1)"/)?.[1] ?? "";
    const next = await stack.discord.clickButton({ userId: bob, messageId: first.id, customId: nextId });
    await next.waitForCallback();
    const second = stack.discord.message(first.id);
    expect(second?.embeds[0]?.footer?.text).toBe(`${OUT_OF_BAND + 1} bans · page 2 of 13`);
    expect(textOf(second ?? first)).not.toContain("newest ban");
  });

  it("needs the lookup permission for the buttons too", async () => {
    const first = await listBans(stack, bob);
    const nextId = JSON.stringify(first.components).match(/"custom_id":"(bans:pg:[^"]+:1)"/)?.[1] ?? "";
    await revokePermission(stack.database.handle.db, { guildId: stack.guild.id, subject: { type: "user", id: bob }, permission: "lookup" });
    const click = await stack.discord.clickButton({ userId: bob, messageId: first.id, customId: nextId });
    expect(textOf(await click.waitForReply())).toContain("You need Warden's `lookup` permission");
    await grant(stack, { type: "user", id: bob }, "lookup");
  });

  it("closes a list whose experience was unlinked: the next page makes no call and shows nothing of it", async () => {
    const first = await listBans(stack, bob);
    const nextId = JSON.stringify(first.components).match(/"custom_id":"(bans:pg:[^"]+:1)"/)?.[1] ?? "";
    expect(await replyTo(stack, memberId(stack, "owner"), "setup", "remove", { experience: UNIVERSE })).toContain("Unlinked experience");
    stack.roblox.clearCalls();

    const click = await stack.discord.clickButton({ userId: bob, messageId: first.id, customId: nextId });
    await click.waitForCallback();
    const closed = stack.discord.message(first.id);
    expect(closed?.content).toBe(`Experience \`${UNIVERSE}\` is no longer linked to this server, so this list is closed.`);
    expect(closed?.embeds).toEqual([]);
    expect(closed?.components ?? []).toEqual([]);
    expect(stack.roblox.calls).toEqual([]);
  });
});

describe("/bans of an experience with a long history", () => {
  const LONG = "8101";
  const LONG_KEY = `long-key-${"l".repeat(60)}`;
  // More restrictions than MAX_PAGES pages of 100 hold, every one of them lifted long ago.
  const LIFTED = (MAX_PAGES + 2) * 100;
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    stack.roblox.addUser({ id: "95", name: "LongOwner" });
    addExperienceWithKey(stack.roblox, { universeId: LONG, name: "Old Game", placeId: "8102", ownerId: "95", key: LONG_KEY });
    for (let index = 0; index < LIFTED; index += 1) {
      const userId = String(30_000 + index);
      stack.roblox.addUser({ id: userId, name: `old${index}` });
      stack.roblox.banFromCreatorHub({ universeId: LONG, userId, moderatorId: "95", active: false });
    }
    await linkThroughForm(stack, "experience", LONG, LONG_KEY);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("reads at most its page cap of Roblox's pages, even when none holds an active ban, and says the list is partial", async () => {
    stack.roblox.clearCalls();
    const reply = await listBans(stack, memberId(stack, "owner"));
    expect(textOf(reply)).toContain("Nobody is banned there.");
    expect(reply.embeds[0]?.footer?.text).toBe("0 bans (Roblox lists more than were read) · page 1 of 1");
    const lists = stack.roblox.calls.filter((call) => call.method === "GET" && call.path.endsWith("/user-restrictions"));
    expect(lists).toHaveLength(MAX_PAGES);
  });
});
