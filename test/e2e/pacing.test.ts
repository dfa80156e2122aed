import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addExperienceWithKey, addGroupWithKey, channelId, linkThroughForm, replyTo, startStack, textOf, type Stack } from "./stack.js";

/**
 * Roblox's budgets saturated through the whole bot: paced, the bot plans in
 * the time the local Open Cloud enforces and no 429 reaches the wire; with
 * its pacing removed (planning in a time far faster than the one enforced)
 * the same work meets 429s, so the paced runs show the pacing, not luck.
 */
const UNPACED = 1_000;

const tooMany = (stack: Stack, pathPart: string) =>
  stack.roblox.calls.filter((call) => call.status === 429 && call.path.includes(pathPart));

describe.each([
  ["paced", 1],
  ["unpaced", UNPACED],
])("many bans in one universe at once, %s", (mode, planningFactor) => {
  // A universe takes 10 bans a second; a scale of 1 keeps that window longer than the bot takes to send 30.
  const TIME_SCALE = 1;
  const UNIVERSE = "5100";
  const KEY = `pacing-ban-key-${"p".repeat(50)}`;
  const PLAYERS = Array.from({ length: 30 }, (_, index) => String(51_000 + index));
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(undefined, { timeScale: TIME_SCALE, botTimeScale: TIME_SCALE * planningFactor });
    stack.roblox.addUser({ id: "5000", name: "PacingOwner" });
    addExperienceWithKey(stack.roblox, { universeId: UNIVERSE, name: "Busy Game", placeId: "5101", ownerId: "5000", key: KEY });
    for (const id of PLAYERS) stack.roblox.addUser({ id, name: `rusher${id}` });
    await linkThroughForm(stack, "experience", UNIVERSE, KEY);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it(mode === "paced" ? "applies them all with no 429 on the wire" : "meets 429s, and still applies them all", async () => {
    stack.roblox.clearCalls();
    const handles = await Promise.all(
      PLAYERS.map((userId) =>
        stack.discord.runCommand({
          guildId: stack.guild.id,
          channelId: channelId(stack, "general"),
          userId: stack.guild.ownerId,
          name: "ban",
          options: { user: userId, duration: "1d", reason: "rush" },
        }),
      ),
    );
    const replies = await Promise.all(handles.map(async (handle) => textOf(await handle.waitForReply(undefined, 30_000))));
    for (const reply of replies) expect(reply).toContain("Banned rusher");
    for (const id of PLAYERS) expect(stack.roblox.restriction(UNIVERSE, id)?.active, id).toBe(true);
    const refused = tooMany(stack, `/universes/${UNIVERSE}/user-restrictions/`);
    if (mode === "paced") expect(refused).toEqual([]);
    else expect(refused.length).toBeGreaterThan(0);
  });
});

describe.each([
  ["paced", 1],
  ["unpaced", UNPACED],
])("a bulk approval past the accept budget, %s", (mode, planningFactor) => {
  // 100 decisions a minute per key owner; at 6, a 10 s minute, longer than the bot takes for 101.
  const TIME_SCALE = 6;
  const GROUP = "52";
  const KEY = `pacing-group-key-${"q".repeat(50)}`;
  const REQUESTERS = Array.from({ length: 110 }, (_, index) => String(52_000 + index));
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(undefined, { timeScale: TIME_SCALE, botTimeScale: TIME_SCALE * planningFactor });
    stack.roblox.addUser({ id: "5200", name: "GroupPacer" });
    addGroupWithKey(stack.roblox, { groupId: GROUP, name: "Busy Group", ownerId: "5200", key: KEY });
    const old = new Date(Date.now() - 400 * 86_400_000).toISOString();
    for (const userId of REQUESTERS) {
      stack.roblox.addUser({ id: userId, name: `joiner${userId}`, createTime: old });
      stack.roblox.addJoinRequest({ groupId: GROUP, userId });
    }
    await linkThroughForm(stack, "group", GROUP, KEY);
    await replyTo(stack, stack.guild.ownerId, "setup", "channels", { review: channelId(stack, "join-requests") });
    expect(await replyTo(stack, stack.guild.ownerId, "joinrequests", "review")).toContain(`posted ${REQUESTERS.length} new`);
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it(mode === "paced" ? "decides them all with no 429 on the wire" : "meets 429s", async () => {
    const where = { guildId: stack.guild.id, channelId: channelId(stack, "general"), userId: stack.guild.ownerId };
    const asked = await stack.discord.runCommand({ ...where, name: "joinrequests", subcommand: "bulk", options: { decision: "accept" } });
    const confirmation = await asked.waitForReply();
    const customId = /"custom_id":"(jrb:ok:[^"]+)"/.exec(JSON.stringify(confirmation.components))?.[1] ?? "";
    stack.roblox.clearCalls();
    const run = await stack.discord.clickButton({ userId: where.userId, messageId: confirmation.id, customId });
    const refused = () => tooMany(stack, `/groups/${GROUP}/join-requests/`);
    if (mode === "unpaced") {
      // Enough to show it: the rest of the run only waits out Roblox's resets.
      await expect.poll(() => refused().length, { timeout: 30_000, interval: 100 }).toBeGreaterThan(0);
      return;
    }
    const done = await run.waitForReply((message) => message.content.startsWith("Done with"), 60_000);
    expect(done.content).toContain(`${REQUESTERS.length} decided`);
    expect(stack.roblox.joinRequests(GROUP)).toEqual([]);
    expect(refused()).toEqual([]);
  }, 90_000);
});

describe("bulk approvals in two groups whose keys have one owner", () => {
  // Roblox counts the accept budget (100 a minute) per key owner, not per key: two keys of one
  // owner must draw on one budget. At 6, a 10 s minute.
  const TIME_SCALE = 6;
  const OWNER = "5300";
  const GROUPS = [
    { groupId: "53", key: `owner-group-key-a-${"r".repeat(50)}` },
    { groupId: "54", key: `owner-group-key-b-${"s".repeat(50)}` },
  ];
  const PER_GROUP = 60;
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(undefined, { timeScale: TIME_SCALE });
    stack.roblox.addUser({ id: OWNER, name: "TwoKeyOwner" });
    const old = new Date(Date.now() - 400 * 86_400_000).toISOString();
    for (const [index, { groupId, key }] of GROUPS.entries()) {
      addGroupWithKey(stack.roblox, { groupId, name: `Owned Group ${index}`, ownerId: OWNER, key });
      for (let n = 0; n < PER_GROUP; n += 1) {
        const userId = String(53_000 + index * 1_000 + n);
        stack.roblox.addUser({ id: userId, name: `joiner${userId}`, createTime: old });
        stack.roblox.addJoinRequest({ groupId, userId });
      }
      await linkThroughForm(stack, "group", groupId, key);
    }
    await replyTo(stack, stack.guild.ownerId, "setup", "channels", { review: channelId(stack, "join-requests") });
    for (const { groupId } of GROUPS) {
      expect(await replyTo(stack, stack.guild.ownerId, "joinrequests", "review", { group: groupId })).toContain(`posted ${PER_GROUP} new`);
    }
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("decides them all with no 429 on the wire", async () => {
    const where = { guildId: stack.guild.id, channelId: channelId(stack, "general"), userId: stack.guild.ownerId };
    const confirmations = [];
    for (const { groupId } of GROUPS) {
      const asked = await stack.discord.runCommand({ ...where, name: "joinrequests", subcommand: "bulk", options: { decision: "accept", group: groupId } });
      confirmations.push(await asked.waitForReply());
    }
    stack.roblox.clearCalls();
    const runs = await Promise.all(
      confirmations.map((confirmation) => {
        const customId = /"custom_id":"(jrb:ok:[^"]+)"/.exec(JSON.stringify(confirmation.components))?.[1] ?? "";
        return stack.discord.clickButton({ userId: where.userId, messageId: confirmation.id, customId });
      }),
    );
    const done = await Promise.all(runs.map((run) => run.waitForReply((message) => message.content.startsWith("Done with"), 60_000)));
    for (const message of done) expect(message.content).toContain(`${PER_GROUP} decided`);
    for (const { groupId } of GROUPS) expect(stack.roblox.joinRequests(groupId)).toEqual([]);
    expect(tooMany(stack, "/join-requests/")).toEqual([]);
  }, 90_000);
});
