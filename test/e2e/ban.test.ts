import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { cases } from "../../src/db/schema.js";
import { grantPermission } from "../../src/db/staffGrants.js";
import { channelId, linkThroughForm, memberId, roleId, startStack, textOf, type Stack } from "./stack.js";

const UNIVERSE = "3001";
const PLACE = "4001";
const KEY = `ban-key-${"k".repeat(60)}`;
const OWNER_ID = "90";

describe("/ban and /unban end to end", () => {
  let stack: Stack;
  let alice: string;
  let general: string;
  let modLog: string;

  const run = (userId: string, name: string, options: Record<string, string | boolean>) =>
    stack.discord.runCommand({ guildId: stack.guild.id, channelId: general, userId, name, options });
  const reply = async (userId: string, name: string, options: Record<string, string | boolean>) =>
    textOf(await (await run(userId, name, options)).waitForReply());
  const patches = () => stack.roblox.calls.filter((call) => call.method === "PATCH");

  beforeAll(async () => {
    // A minute of 10 s: longer than a moderator is kept waiting (5 s), so a player's third change in it is explained, not queued.
    stack = await startStack(undefined, { timeScale: 6 });
    alice = memberId(stack, "alice");
    general = channelId(stack, "general");
    modLog = channelId(stack, "mod-log");

    stack.roblox.addUniverse({ id: UNIVERSE, displayName: "Obby World", placeIds: [PLACE] });
    stack.roblox.addUser({ id: OWNER_ID, name: "ObbyOwner" });
    stack.roblox.addUser({ id: "156", name: "builderman", displayName: "Builder" });
    stack.roblox.addUser({ id: "157", name: "griefer99" });
    stack.roblox.addUser({ id: "158", name: "spammer", previousNames: ["oldspam"] });
    stack.roblox.addApiKey({
      key: KEY,
      ownerId: OWNER_ID,
      scopes: [{ name: "universe.user-restriction", operations: ["read", "write"], universeIds: [UNIVERSE] }],
    });
    await linkThroughForm(stack, "experience", UNIVERSE, KEY);
    await (
      await stack.discord.runCommand({
        guildId: stack.guild.id,
        channelId: general,
        userId: memberId(stack, "owner"),
        name: "setup",
        subcommand: "channels",
        options: { log: modLog },
      })
    ).waitForReply();
    const moderator = roleId(stack, "Moderator");
    for (const permission of ["ban", "unban"] as const) {
      await grantPermission(stack.warden.context.db, {
        guildId: stack.guild.id,
        subject: { type: "role", id: moderator },
        permission,
        grantedBy: memberId(stack, "owner"),
      });
    }
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("bans by username for 7 days, with the exact PATCH Roblox documents, and logs the case", async () => {
    stack.roblox.clearCalls();
    const text = await reply(alice, "ban", { user: "builderman", duration: "7d", reason: "exploiting", public_reason: "Cheating" });
    expect(text).toContain("Case #1 · Banned builderman");
    expect(text).toMatch(/1 week, ends <t:\d+:F>/);

    const [patch] = patches();
    expect(patches()).toHaveLength(1);
    expect(patch?.path).toBe(`/cloud/v2/universes/${UNIVERSE}/user-restrictions/156`);
    expect(patch?.query).toMatchObject({ updateMask: "gameJoinRestriction" });
    expect(patch?.query["idempotencyKey.key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(patch?.query["idempotencyKey.firstSent"]).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(patch?.body).toEqual({
      gameJoinRestriction: {
        active: true,
        duration: "604800s",
        privateReason: "exploiting",
        displayReason: "Cheating",
        excludeAltAccounts: false,
      },
    });
    expect(stack.roblox.restriction(UNIVERSE, "156")).toMatchObject({ active: true, duration: "604800s" });

    const logged = textOf(await stack.discord.waitForMessage(modLog, (message) => textOf(message).includes("Case #1 · Ban")));
    expect(logged).toContain("builderman");
    expect(logged).toContain("exploiting");
    expect(logged).toContain(`<@${alice}>`);
    expect(logged).toContain("applied");
  });

  it("bans by id at one place with alt accounts excluded", async () => {
    stack.roblox.clearCalls();
    const text = await reply(alice, "ban", { user: "157", duration: "12h", reason: "griefing", place: PLACE, exclude_alts: true });
    expect(text).toContain("Banned griefer99");
    expect(patches()[0]?.path).toBe(`/cloud/v2/universes/${UNIVERSE}/places/${PLACE}/user-restrictions/157`);
    expect(patches()[0]?.body).toMatchObject({ gameJoinRestriction: { duration: "43200s", excludeAltAccounts: true } });
  });

  it("asks to confirm a permanent ban, only the invoker's click counts, and sends no duration", async () => {
    stack.roblox.clearCalls();
    const handle = await run(alice, "ban", { user: "oldspam", duration: "perm", reason: "spam bots" });
    const question = await handle.waitForReply();
    expect(textOf(question)).toContain("Ban **spammer** (`158`)");
    expect(textOf(question)).toContain("**permanently**");
    expect(patches()).toHaveLength(0);

    const buttonId = JSON.stringify(question.components).match(/"custom_id":"(ban:ok:[^"]+)"/)?.[1];
    expect(buttonId).toMatch(/^ban:ok:/);
    const click = await stack.discord.clickButton({ userId: alice, messageId: question.id, customId: buttonId ?? "" });
    const done = await click.waitForReply((message) => textOf(message).includes("Case #"));
    expect(textOf(done)).toContain("Banned spammer");
    expect(textOf(done)).toContain("permanent");
    expect(patches()).toHaveLength(1);
    expect(patches()[0]?.body).toEqual({
      gameJoinRestriction: { active: true, privateReason: "spam bots", displayReason: "", excludeAltAccounts: false },
    });
  });

  it("unbans, and explains when the player is not banned there", async () => {
    stack.roblox.clearCalls();
    expect(await reply(alice, "unban", { user: "builderman", reason: "appeal accepted" })).toContain("Unbanned builderman");
    expect(stack.roblox.restriction(UNIVERSE, "156")?.active).toBe(false);
    expect(patches()[0]?.body).toMatchObject({ gameJoinRestriction: { active: false } });

    stack.roblox.clearCalls();
    expect(await reply(alice, "unban", { user: "builderman" })).toContain("is not banned in Obby World");
    expect(patches()).toHaveLength(0);
  });

  it.each([
    [{ user: "builderman", duration: "forever", reason: "x" }, "is not a duration. Use 30m, 12h, 7d, 2w, or perm"],
    [{ user: "nobody_here", duration: "1d", reason: "x" }, "No Roblox user is named `nobody_here`"],
    [{ user: "999999", duration: "1d", reason: "x" }, "No Roblox user has the id 999999"],
    [{ user: "builderman", duration: "1d", reason: "x", place: "5555" }, "Place 5555 is not part of Obby World"],
    // Checked side by side, told in order: the place first, though the name's answer comes first.
    [{ user: "nobody_here", duration: "1d", reason: "x", place: "5555" }, "Place 5555 is not part of Obby World"],
    [{ user: "builderman", duration: "1d", reason: "x", place: `0${PLACE}` }, `\`0${PLACE}\` is not a place id`],
    [{ user: "builderman", duration: "1d", reason: "x", experience: "12345" }, "is not an experience linked to this server"],
  ])("answers bad input %j without a PATCH", async (options, expected) => {
    stack.roblox.clearCalls();
    expect(await reply(alice, "ban", options)).toContain(expected);
    expect(patches()).toHaveLength(0);
  });

  it("keeps reasons within Roblox's limits: Discord refuses a longer one before it is sent", async () => {
    stack.roblox.clearCalls();
    await expect(run(alice, "ban", { user: "builderman", duration: "1d", reason: "x".repeat(1_001) })).rejects.toThrow(
      /longer than 1000/,
    );
    await expect(
      run(alice, "ban", { user: "builderman", duration: "1d", reason: "x", public_reason: "y".repeat(401) }),
    ).rejects.toThrow(/longer than 400/);
    expect(patches()).toHaveLength(0);
  });

  it("refuses a member whom Discord lets see /ban but Warden never granted `ban`, with no call to Roblox", async () => {
    stack.roblox.clearCalls();
    const bob = memberId(stack, "bob");
    expect(await reply(bob, "ban", { user: "builderman", duration: "1d", reason: "x" })).toContain(
      "You need Warden's `ban` permission",
    );
    expect(await reply(bob, "unban", { user: "builderman" })).toContain("You need Warden's `unban` permission");
    expect(stack.roblox.calls).toHaveLength(0);
  });

  it("lets only one of two moderators banning the same player at once through: one case, one PATCH", async () => {
    stack.roblox.addUser({ id: "400", name: "contested" });
    const owner = memberId(stack, "owner");
    const before = await caseCount();
    stack.roblox.clearCalls();
    // Slow Roblox down so the first ban is still in flight when the second is recorded.
    stack.roblox.setFaults({ delayMs: 300 });
    try {
      const texts = await Promise.all(
        [alice, owner].map(async (userId) => reply(userId, "ban", { user: "400", duration: "1d", reason: `by ${userId}` })),
      );
      expect(texts.filter((text) => text.includes("Banned contested"))).toHaveLength(1);
      expect(texts.filter((text) => text.includes("Another moderator is changing"))).toHaveLength(1);
    } finally {
      stack.roblox.setFaults({ delayMs: 0 });
    }
    expect(patches()).toHaveLength(1);
    expect(await caseCount()).toBe(before + 1);
  });

  it("reports the write-scope trap as not applied, and the case says failed", async () => {
    stack.roblox.addUser({ id: "401", name: "trapped" });
    stack.roblox.updateApiKey(KEY, {
      scopes: [{ name: "universe.user-restriction", operations: ["read"], universeIds: [UNIVERSE] }],
    });
    try {
      const text = await reply(alice, "ban", { user: "401", duration: "1d", reason: "trap" });
      expect(text).toMatch(/Case #\d+: the ban of \*\*trapped\*\* failed\. Roblox accepted the change but did not apply it/);
      expect(text).toContain("`universe.user-restriction:write`");
    } finally {
      stack.roblox.updateApiKey(KEY, {
        scopes: [{ name: "universe.user-restriction", operations: ["read", "write"], universeIds: [UNIVERSE] }],
      });
    }
    expect(stack.roblox.restriction(UNIVERSE, "401")?.active ?? false).toBe(false);
    const [row] = await stack.warden.context.db.select().from(cases).where(eq(cases.robloxUserId, "401"));
    expect(row).toMatchObject({ status: "failed", error: expect.stringContaining("did not apply") });
  });

  it("says Roblox is down, records nothing it could not check, and keeps serving", async () => {
    stack.roblox.addUser({ id: "402", name: "unlucky" });
    const before = await caseCount();
    stack.roblox.setFaults({ errorRate: 1 });
    try {
      const text = await reply(alice, "ban", { user: "402", duration: "1d", reason: "outage" });
      expect(text).toContain("Roblox is having trouble, even after several tries");
    } finally {
      stack.roblox.setFaults({ errorRate: 0 });
    }
    expect(await caseCount()).toBe(before);
    expect(await reply(alice, "ban", { user: "402", duration: "1d", reason: "again" })).toContain("Banned unlucky");
  });

  it("explains Roblox's two-changes-per-minute limit on one player instead of failing silently", async () => {
    stack.roblox.addUser({ id: "403", name: "flipflop" });
    expect(await reply(alice, "ban", { user: "403", duration: "1d", reason: "one" })).toContain("Banned flipflop");
    expect(await reply(alice, "unban", { user: "403" })).toContain("Unbanned flipflop");
    const third = await reply(alice, "ban", { user: "403", duration: "1d", reason: "three" });
    expect(third).toContain("only two changes to a player's ban per minute");
    expect(third).toMatch(/Try again in \d+ s/);
  });

  it("suggests the player a username resolves to, by its exact id", async () => {
    const choices = await stack.discord.autocomplete({
      guildId: stack.guild.id,
      channelId: general,
      userId: alice,
      name: "ban",
      options: { duration: "1d", reason: "x" },
      focused: "user",
      value: "Builderman",
    });
    expect(choices).toEqual([{ name: "builderman (Builder) · 156", value: "id:156" }]);
  });

  it("records a failed case when the key was revoked, and says what to do", async () => {
    stack.roblox.addUser({ id: "404", name: "revoked" });
    stack.roblox.revokeApiKey(KEY);
    const text = await reply(alice, "ban", { user: "revoked", duration: "1d", reason: "key gone" });
    expect(text).toMatch(/Case #\d+: the ban of \*\*revoked\*\* failed\. Roblox rejected the API key/);
    const [row] = await stack.warden.context.db.select().from(cases).where(eq(cases.robloxUserId, "404"));
    expect(row).toMatchObject({ status: "failed", error: expect.stringContaining("Roblox rejected the API key") });
  });

  it("says no experience is linked once the last one is removed", async () => {
    const owner = memberId(stack, "owner");
    await stack.discord
      .runCommand({ guildId: stack.guild.id, channelId: general, userId: owner, name: "setup", subcommand: "remove", options: { experience: UNIVERSE } })
      .then((handle) => handle.waitForReply());
    stack.roblox.clearCalls();
    expect(await reply(alice, "ban", { user: "builderman", duration: "1d", reason: "x" })).toContain(
      "No experience is linked to this server yet",
    );
    expect(patches()).toHaveLength(0);
  });

  async function caseCount() {
    return (await stack.warden.context.db.select().from(cases)).length;
  }
});
