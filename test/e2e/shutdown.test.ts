import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cases } from "../../src/db/schema.js";
import { addExperienceWithKey, channelId, linkThroughForm, memberId, replyTo, startStack, textOf, type Stack } from "./stack.js";
import { waitUntil } from "../support/waitUntil.js";

const UNIVERSE = "6001";
const KEY = `shutdown-key-${"s".repeat(60)}`;

describe("stopping the bot while a ban is under way", () => {
  let stack: Stack;
  let owner: string;

  beforeAll(async () => {
    stack = await startStack();
    owner = memberId(stack, "owner");
    stack.roblox.addUser({ id: "92", name: "ValleyOwner" });
    stack.roblox.addUser({ id: "310", name: "latecomer" });
    addExperienceWithKey(stack.roblox, { universeId: UNIVERSE, name: "Shutdown Valley", placeId: "6002", ownerId: "92", key: KEY });
    await linkThroughForm(stack, "experience", UNIVERSE, KEY);
    await replyTo(stack, owner, "setup", "channels", { log: channelId(stack, "mod-log") });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("lets the ban finish and be logged, and turns away what arrives meanwhile", async () => {
    // Roblox slows down: the case is on record while the PATCH waits for its answer.
    stack.roblox.setFaults({ delayMs: 1_000 });
    const ban = await stack.discord.runCommand({
      guildId: stack.guild.id,
      channelId: channelId(stack, "general"),
      userId: owner,
      name: "ban",
      options: { user: "latecomer", duration: "1d", reason: "shutdown test" },
    });
    await waitUntil(async () => (await casesOf(stack)).some((row) => row.status === "pending"));

    const stopped = stack.warden.stop();
    const late = await stack.discord.runCommand({
      guildId: stack.guild.id,
      channelId: channelId(stack, "general"),
      userId: owner,
      name: "staff",
      subcommand: "list",
    });
    expect(textOf(await late.waitForReply())).toBe("Warden is restarting; try again in a minute.");
    await stopped;

    expect(await casesOf(stack)).toMatchObject([{ number: 1, status: "applied", robloxUserId: "310" }]);
    expect(stack.roblox.restriction(UNIVERSE, "310")).toMatchObject({ active: true });
    expect(textOf(await ban.waitForReply((message) => textOf(message).includes("Case #1")))).toContain("latecomer");
    expect(stack.discord.messages(channelId(stack, "mod-log")).map(textOf).join("\n")).toContain("Case #1 · Ban");
    stack.roblox.setFaults({ delayMs: 0 });
  });
});

function casesOf(stack: Stack) {
  return stack.database.handle.db.select().from(cases).where(eq(cases.guildId, stack.guild.id));
}
