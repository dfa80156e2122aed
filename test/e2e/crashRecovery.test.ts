import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnBot } from "../support/compiledBot.js";
import { cases } from "../../src/db/schema.js";
import { grantPermission } from "../../src/db/staffGrants.js";
import { addGroupWithKey, channelId, linkThroughForm, memberId, replyTo, startStack, textOf, type Stack } from "./stack.js";
import { waitUntil } from "../support/waitUntil.js";

const UNIVERSE = "5001";
const KEY = `crash-key-${"c".repeat(60)}`;

describe("a bot killed between recording a case and Roblox's answer", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(undefined, { startBot: false });
    stack.roblox.addUniverse({ id: UNIVERSE, displayName: "Crash Course", placeIds: ["5002"] });
    stack.roblox.addUser({ id: "91", name: "CrashOwner" });
    stack.roblox.addUser({ id: "300", name: "victim" });
    stack.roblox.addApiKey({
      key: KEY,
      ownerId: "91",
      scopes: [{ name: "universe.user-restriction", operations: ["read", "write"], universeIds: [UNIVERSE] }],
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("is taken over by a live process within the bounded time: exactly one applied ban, logged once", async () => {
    const { bot, exited } = spawnBot(stack.env, stack.env.DATA_DIR ?? "");
    try {
      await waitUntil(() => stack.discord.registeredCommands(stack.guild.id).length > 0);
      await linkThroughForm(stack, "experience", UNIVERSE, KEY);
      const owner = memberId(stack, "owner");
      await (
        await stack.discord.runCommand({
          guildId: stack.guild.id,
          channelId: channelId(stack, "general"),
          userId: owner,
          name: "setup",
          subcommand: "channels",
          options: { log: channelId(stack, "mod-log") },
        })
      ).waitForReply();
      await grantPermission(stack.database.handle.db, {
        guildId: stack.guild.id,
        subject: { type: "user", id: owner },
        permission: "ban",
        grantedBy: owner,
      });

      // Roblox slows down, so the case is on record while the PATCH has not been answered.
      stack.roblox.setFaults({ delayMs: 1_500 });
      await stack.discord.runCommand({
        guildId: stack.guild.id,
        channelId: channelId(stack, "general"),
        userId: owner,
        name: "ban",
        options: { user: "victim", duration: "1d", reason: "crash test" },
      });
      await waitUntil(async () => (await pendingCases(stack)).length === 1);
      bot.kill("SIGKILL");
      await exited;
    } finally {
      if (bot.exitCode === null && bot.signalCode === null) bot.kill("SIGKILL");
    }
    expect(await pendingCases(stack)).toHaveLength(1);
    stack.roblox.setFaults({ delayMs: 0 });

    // Started while the dead process's heartbeat is still fresh: it takes the case over once that is old.
    await stack.restart();
    await waitUntil(async () => (await pendingCases(stack)).length === 0, TAKEOVER_BOUND_MS);

    const rows = await stack.database.handle.db.select().from(cases).where(eq(cases.guildId, stack.guild.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ number: 1, status: "applied", robloxUserId: "300" });
    expect(stack.roblox.restriction(UNIVERSE, "300")).toMatchObject({ active: true, duration: "86400s" });
    expect(stack.roblox.logs(UNIVERSE).filter((entry) => entry.user === "users/300")).toHaveLength(1);
    const logged = await stack.discord.waitForMessage(channelId(stack, "mod-log"), (message) =>
      textOf(message).includes("Case #1 · Ban"),
    );
    expect(textOf(logged)).toContain("applied");
    }, 90_000);
});

describe("a bot killed while deciding a join request", () => {
  const GROUP = "51";
  const GROUP_KEY = `crash-group-key-${"j".repeat(60)}`;
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(undefined, { startBot: false });
    stack.roblox.addUser({ id: "92", name: "ClubOwner" });
    stack.roblox.addUser({ id: "340", name: "hopeful" });
    addGroupWithKey(stack.roblox, { groupId: GROUP, name: "Crash Club", ownerId: "92", key: GROUP_KEY });
    stack.roblox.addJoinRequest({ groupId: GROUP, userId: "340" });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("is finished by a live process within the bounded time: one accept, the case applied, the card showing who decided", async () => {
    const owner = memberId(stack, "owner");
    const review = channelId(stack, "join-requests");
    const ACCEPT_PATH = `/cloud/v2/groups/${GROUP}/join-requests/340:accept`;
    const accepts = () => stack.roblox.calls.filter((call) => call.path === ACCEPT_PATH);
    const { bot, exited } = spawnBot(stack.env, stack.env.DATA_DIR ?? "");
    try {
      await waitUntil(() => stack.discord.registeredCommands(stack.guild.id).length > 0);
      await linkThroughForm(stack, "group", GROUP, GROUP_KEY);
      await replyTo(stack, owner, "setup", "channels", { review, log: channelId(stack, "mod-log") });
      await replyTo(stack, owner, "joinrequests", "review");
      // The card may come from the command or from the paced read that started with the process.
      const card = await stack.discord.waitForMessage(review, (message) => textOf(message).includes("hopeful"));

      // Roblox slows down: the decision is on record while :accept waits for its answer.
      stack.roblox.setFaults({ delayMs: 1_500 });
      await stack.discord.clickButton({ userId: owner, messageId: card.id, customId: `jr:a:${GROUP}:340` });
      await waitUntil(async () => (await pendingCases(stack)).length === 1);
      // Killed only once Roblox has the call, so the call it answers below is the dead bot's.
      await waitUntil(() => stack.roblox.received.some((call) => call.path === ACCEPT_PATH));
      bot.kill("SIGKILL");
      await exited;
      // Roblox handles the call the dead bot sent.
      await waitUntil(() => accepts().some((call) => call.status === 200));
    } finally {
      if (bot.exitCode === null && bot.signalCode === null) bot.kill("SIGKILL");
    }
    stack.roblox.setFaults({ delayMs: 0 });

    await stack.restart();
    await waitUntil(async () => (await pendingCases(stack)).length === 0, TAKEOVER_BOUND_MS);

    expect(accepts()).toHaveLength(1);
    const rows = await stack.database.handle.db.select().from(cases).where(eq(cases.guildId, stack.guild.id));
    expect(rows).toMatchObject([{ action: "join_accept", status: "applied", robloxUserId: "340" }]);
    const card = await stack.discord.waitForMessage(review, (message) => textOf(message).includes("Approved by"));
    expect(textOf(card)).toContain(`Approved by <@${owner}> · case #1`);
    expect(card.components ?? []).toHaveLength(0);
    expect(await replyTo(stack, owner, "joinrequests", "review")).toContain("0 join requests waiting");
    }, 90_000);
});

/** A dead process's heartbeat goes stale after 20 s and live ones look every 5 s; a little on top for a loaded machine. */
const TAKEOVER_BOUND_MS = 40_000;

async function pendingCases(stack: Stack) {
  return stack.database.handle.db.select().from(cases).where(eq(cases.status, "pending"));
}
