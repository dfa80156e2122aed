import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grant, linkThroughForm, memberId, replyTo, startStack, type Stack } from "./stack.js";

const MAIN = "7001";
const OTHER = "7101";
const MAIN_KEY = `lookup-key-${"l".repeat(60)}`;
const OTHER_KEY = `other-key-${"o".repeat(60)}`;
const restrictions = (universeId: string) => ({
  name: "universe.user-restriction",
  operations: ["read", "write"],
  universeIds: [universeId],
});

describe("/lookup and /history end to end", () => {
  let stack: Stack;
  let owner: string;
  let bob: string;
  beforeAll(async () => {
    stack = await startStack();
    owner = memberId(stack, "owner");
    bob = memberId(stack, "bob");
    stack.roblox.addUniverse({ id: MAIN, displayName: "Main Game", placeIds: ["7002"] });
    stack.roblox.addUniverse({ id: OTHER, displayName: "Side Game", placeIds: ["7102"] });
    stack.roblox.addUser({ id: "93", name: "GameOwner" });
    stack.roblox.addUser({ id: "77", name: "CreatorHubMod" });
    const createTime = new Date(Date.now() - 400 * 86_400_000).toISOString();
    stack.roblox.addUser({ id: "600", name: "suspect", displayName: "Sus", createTime, premium: true, idVerified: true });
    stack.roblox.addUser({ id: "602", name: "verified", idVerified: true });
    stack.roblox.addApiKey({ key: MAIN_KEY, ownerId: "93", scopes: [restrictions(MAIN)] });
    stack.roblox.addApiKey({ key: OTHER_KEY, ownerId: "93", scopes: [restrictions(OTHER)] });
    await linkThroughForm(stack, "experience", MAIN, MAIN_KEY);
    await linkThroughForm(stack, "experience", OTHER, OTHER_KEY);
    await grant(stack, { type: "user", id: bob }, "lookup");

    // Out-of-band history first: a game server's ban, lifted in Creator Hub; then Warden's own ban.
    stack.roblox.banFromGameServer({ universeId: MAIN, userId: "600", duration: "3600s", privateReason: "speed hacks" });
    stack.roblox.banFromCreatorHub({ universeId: MAIN, userId: "600", active: false, moderatorId: "77" });
    await replyTo(stack, owner, "ban", undefined, { user: "suspect", duration: "2w", reason: "alt farming", experience: MAIN });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("looks a player up: profile, account age, ban state in every linked experience, cases here", async () => {
    const text = await replyTo(stack, bob, "lookup", undefined, { user: "suspect" });
    expect(text).toContain("Sus (@suspect)");
    expect(text).toContain("Roblox user `600`");
    expect(text).toMatch(/(399|400) days/);
    expect(text).toContain("Premium\nyes");
    expect(text).toContain("Main Game: **banned** until");
    expect(text).toContain("alt farming");
    expect(text).toContain("Side Game: not banned");
    expect(text).toMatch(/#1 ban \(applied\)/);
  });

  it("says ID verification is unknown without user.advanced:read, and shows it with the scope", async () => {
    expect(await replyTo(stack, bob, "lookup", undefined, { user: "600" })).toContain(
      "no, or the key lacks `user.advanced:read`",
    );
    stack.roblox.updateApiKey(MAIN_KEY, { scopes: [restrictions(MAIN), { name: "user.advanced", operations: ["read"] }] });
    stack.roblox.updateApiKey(OTHER_KEY, { scopes: [restrictions(OTHER), { name: "user.advanced", operations: ["read"] }] });
    // A profile read is remembered for a minute: the new scope shows on a player not read within it.
    expect(await replyTo(stack, bob, "lookup", undefined, { user: "602" })).toContain("ID verified\nyes");
  });

  it("merges Roblox's log with this server's cases, naming who acted", async () => {
    const text = await replyTo(stack, bob, "history", undefined, { user: "suspect", experience: MAIN });
    const lines = text.split("\n");
    expect(lines[0]).toBe("History of **suspect** (`600`) in Main Game:");
    expect(lines[1]).toMatch(/ban \(2 weeks\), case #1 by <@\d+>: alt farming$/);
    expect(lines[2]).toMatch(/unban, Roblox user 77 \(Creator Hub or another Open Cloud tool\)$/);
    expect(lines[3]).toMatch(/ban \(1 hour\), in-game \(a server script\): speed hacks$/);
    expect(lines).toHaveLength(4);
  });

  it("asks which experience when several are linked and none is named", async () => {
    expect(await replyTo(stack, bob, "history", undefined, { user: "suspect" })).toContain("Several experiences are linked");
  });

  it("refuses a member without lookup", async () => {
    const alice = memberId(stack, "alice");
    expect(await replyTo(stack, alice, "lookup", undefined, { user: "suspect" })).toContain("You need Warden's `lookup` permission");
  });
});
