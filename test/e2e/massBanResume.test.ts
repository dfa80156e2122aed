import { and, eq, isNotNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cases } from "../../src/db/schema.js";
import { spawnBot } from "../support/compiledBot.js";
import { waitUntil } from "../support/waitUntil.js";
import { addExperienceWithKey, channelId, customIdStarting, grant, linkThroughForm, replyTo, startStack, textOf, type Stack } from "./stack.js";

const UNIVERSE = "7101";
const KEY = `resume-key-${"r".repeat(60)}`;
const PLAYERS = 150;

/** A mass run's process SIGKILLed a third of the way through: the run is resumed by the next process, and nobody is banned twice. */
describe("a mass ban killed mid-run", () => {
  let stack: Stack;
  const players = Array.from({ length: PLAYERS }, (_, index) => ({ id: String(710_000 + index), name: `wave${index}` }));
  const runCases = () => stack.database.handle.db.select().from(cases).where(and(eq(cases.guildId, stack.guild.id), isNotNull(cases.bulkRunId)));

  beforeAll(async () => {
    // Roblox's real pace: 10 bans a second, so the run lasts long enough to be killed in the middle.
    stack = await startStack(undefined, { startBot: false, timeScale: 1 });
    stack.roblox.addUser({ id: "96", name: "WaveOwner" });
    addExperienceWithKey(stack.roblox, { universeId: UNIVERSE, name: "Wave Park", placeId: "7102", ownerId: "96", key: KEY });
    for (const player of players) stack.roblox.addUser(player);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("resumes after a restart and ends with exactly one ban per player and one summary", async () => {
    const modLog = channelId(stack, "mod-log");
    const { bot, exited } = spawnBot(stack.env, stack.env.DATA_DIR ?? "");
    try {
      await waitUntil(() => stack.discord.registeredCommands(stack.guild.id).length > 0);
      await linkThroughForm(stack, "experience", UNIVERSE, KEY);
      await replyTo(stack, stack.guild.ownerId, "setup", "channels", { log: modLog });
      await grant(stack, { type: "user", id: stack.guild.ownerId }, "ban");
      const shown = await (
        await stack.discord.runCommand({
          guildId: stack.guild.id,
          channelId: channelId(stack, "general"),
          userId: stack.guild.ownerId,
          name: "massban",
          options: { users: players.map((player) => player.name).join("\n"), duration: "1d", reason: "wave" },
        })
      ).waitForReply(undefined, 30_000);
      const start = customIdStarting(shown, "mb:ok:");
      await (await stack.discord.clickButton({ userId: stack.guild.ownerId, messageId: shown.id, customId: start })).waitForCallback();
      await waitUntil(async () => (await runCases()).length >= PLAYERS / 3, 30_000);
      bot.kill("SIGKILL");
      await exited;
    } finally {
      if (bot.exitCode === null && bot.signalCode === null) bot.kill("SIGKILL");
    }
    const before = (await runCases()).length;
    expect(before).toBeLessThan(PLAYERS);

    await stack.restart();
    const summary = await stack.discord.waitForMessage(modLog, (message) => textOf(message).includes("Mass ban in Wave Park"), 90_000);
    expect(textOf(summary)).toContain(`**${PLAYERS}** applied · **0** failed · **0** not sent`);

    const recorded = await runCases();
    expect(recorded).toHaveLength(PLAYERS);
    expect(new Set(recorded.map((row) => row.robloxUserId)).size).toBe(PLAYERS);
    expect(recorded.every((row) => row.status === "applied")).toBe(true);
    for (const player of players) {
      expect(stack.roblox.restriction(UNIVERSE, player.id)?.active).toBe(true);
      // Roblox's own log: one ban each, whatever was re-sent with its idempotency key.
      expect(stack.roblox.logs(UNIVERSE).filter((entry) => entry.user === `users/${player.id}`)).toHaveLength(1);
    }
    expect(stack.discord.messages(modLog).filter((message) => textOf(message).includes("Mass ban in Wave Park"))).toHaveLength(1);
  }, 150_000);
});
