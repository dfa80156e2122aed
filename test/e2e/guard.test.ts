import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addExperienceWithKey, channelId, grant, linkThroughForm, memberId, replyTo, startStack, textOf, type Stack } from "./stack.js";

const UNIVERSE = "7301";
const KEY = `guard-key-${"g".repeat(60)}`;

/** The guard against a rogue or compromised moderator, at its default: ten destructive actions a minute. */
describe("a moderator who bans too fast", () => {
  let stack: Stack;
  const players = Array.from({ length: 14 }, (_, index) => ({ id: String(730_100 + index), name: `target${index}` }));
  const ban = (userId: string, player: { name: string }) =>
    replyTo(stack, userId, "ban", undefined, { user: player.name, duration: "1d", reason: "too fast" });
  const patchesFor = (player: { id: string }) =>
    stack.roblox.calls.filter((call) => call.method === "PATCH" && call.path.endsWith(`/user-restrictions/${player.id}`));

  beforeAll(async () => {
    stack = await startStack(undefined, { guard: true });
    stack.roblox.addUser({ id: "99", name: "GuardOwner" });
    addExperienceWithKey(stack.roblox, { universeId: UNIVERSE, name: "Guarded Game", placeId: "7302", ownerId: "99", key: KEY });
    for (const player of players) stack.roblox.addUser(player);
    await linkThroughForm(stack, "experience", UNIVERSE, KEY);
    await replyTo(stack, stack.guild.ownerId, "setup", "channels", { log: channelId(stack, "mod-log") });
    await grant(stack, { type: "user", id: memberId(stack, "alice") }, "ban");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("is paused at the eleventh ban in a minute, the configurers are told, and a configurer lifts it", async () => {
    const alice = memberId(stack, "alice");
    for (const player of players.slice(0, 10)) expect(await ban(alice, player)).toContain(`Banned ${player.name}`);

    const eleventh = players[10] ?? players[0];
    if (eleventh === undefined) throw new Error("no player");
    expect(await ban(alice, eleventh)).toContain("are paused");
    expect(patchesFor(eleventh)).toHaveLength(0);
    const notice = await stack.discord.waitForMessage(channelId(stack, "mod-log"), (message) => textOf(message).includes("Paused <@"));
    expect(textOf(notice)).toContain(`Paused <@${alice}>'s bans, mass bans, rank changes and suspensions: 10 in 60 s`);
    // Still paused, whatever the clock: only a configurer lifts it.
    expect(await ban(alice, eleventh)).toContain("are paused");
    // A configurer lifts it (Discord does not even show /staff to Alice; Warden would refuse her too).
    expect(await replyTo(stack, stack.guild.ownerId, "staff", "release", { user: alice })).toContain(`Lifted the guard's pause on <@${alice}>`);
    expect(await ban(alice, eleventh)).toContain(`Banned ${eleventh.name}`);
    expect(patchesFor(eleventh)).toHaveLength(1);
    expect(await replyTo(stack, stack.guild.ownerId, "staff", "release", { user: alice })).toContain("is not paused");
  });

  it("counts a member's own actions only, and is turned off with /setup guard actions:0", async () => {
    const owner = stack.guild.ownerId;
    expect(await replyTo(stack, owner, "setup", "guard", { actions: 2, seconds: 600 })).toContain("more than 2");
    const [first, second, third] = players.slice(11);
    if (first === undefined || second === undefined || third === undefined) throw new Error("no players");
    expect(await ban(owner, first)).toContain("Banned");
    expect(await ban(owner, second)).toContain("Banned");
    expect(await ban(owner, third)).toContain("are paused");
    expect(await replyTo(stack, owner, "setup", "guard", { actions: 0 })).toContain("Guard off");
    expect(await replyTo(stack, owner, "staff", "release", { user: owner })).toContain("Lifted");
    expect(await ban(owner, third)).toContain(`Banned ${third.name}`);
  });
});
