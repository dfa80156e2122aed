import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCase } from "../../src/db/cases.js";
import { addExperienceWithKey, channelId, grant, linkThroughForm, memberId, replyTo, startStack, textOf, type Stack } from "./stack.js";

const ALPHA = { universeId: "3201", name: "Alpha Arena", placeId: "3202", ownerId: "95", key: `alpha-key-${"a".repeat(60)}` };
const BETA = { universeId: "3301", name: "Beta Bay", placeId: "3302", ownerId: "95", key: `beta-key-${"b".repeat(60)}` };
const GAMMA = { universeId: "3401", name: "Gamma Grove", placeId: "3402", ownerId: "95", key: `gamma-key-${"c".repeat(60)}` };

describe("a player's record before a moderator acts", () => {
  let stack: Stack;
  let alice: string;
  const patches = () => stack.roblox.calls.filter((call) => call.method === "PATCH");

  beforeAll(async () => {
    stack = await startStack();
    alice = memberId(stack, "alice");
    stack.roblox.addUser({ id: "95", name: "ArenaOwner" });
    stack.roblox.addUser({ id: "201", name: "repeater" });
    for (const experience of [ALPHA, BETA, GAMMA]) {
      addExperienceWithKey(stack.roblox, experience);
      await linkThroughForm(stack, "experience", experience.universeId, experience.key);
    }
    await grant(stack, { type: "user", id: alice }, "ban");
    // The same player's case in another guild is none of this guild's record.
    await createCase(stack.database.handle.db, {
      guildId: stack.otherGuild.id,
      action: "ban",
      robloxUserId: "201",
      universeId: "999",
      privateReason: "another server's business",
      status: "applied",
      moderatorDiscordId: memberId(stack, "owner"),
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("shows earlier cases here and bans in the other linked experiences: in a timed ban's answer and before a permanent one is confirmed", async () => {
    const first = await replyTo(stack, alice, "ban", undefined, { user: "repeater", duration: "1d", reason: "teaming", experience: ALPHA.universeId });
    expect(first).toContain("Banned repeater");
    expect(first).toMatch(/Previous cases here\nnone/);
    expect(first).toMatch(/Other linked experiences\nbanned in none/);

    const second = await replyTo(stack, alice, "ban", undefined, { user: "repeater", duration: "2d", reason: "exploits", experience: BETA.universeId });
    expect(second).toMatch(/Previous cases here\n#1 ban \(applied\)/);
    expect(second).toMatch(/Other linked experiences\nbanned in Alpha Arena$/m);
    expect(second).not.toContain("another server's business");

    // A key Roblox no longer accepts: its experience's state is unknown, not "not banned".
    stack.roblox.revokeApiKey(GAMMA.key);
    stack.roblox.clearCalls();
    const handle = await stack.discord.runCommand({
      guildId: stack.guild.id,
      channelId: channelId(stack, "general"),
      userId: alice,
      name: "ban",
      options: { user: "repeater", duration: "perm", reason: "again", experience: ALPHA.universeId },
    });
    const question = textOf(await handle.waitForReply());
    expect(question).toContain("**permanently**");
    expect(question).toMatch(/Previous cases here\n#2 ban \(applied\) .*\n#1 ban \(applied\) /);
    expect(question).toContain("banned in Beta Bay");
    expect(question).not.toMatch(/banned in .*Alpha Arena/);
    expect(question).toContain("Roblox did not say for Gamma Grove");
    expect(patches()).toHaveLength(0);
  });
});
