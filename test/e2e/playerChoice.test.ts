import type { APIMessage } from "discord.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { revokePermission } from "../../src/db/staffGrants.js";
import { fingerprint } from "../emulators/opencloud/index.js";
import { addExperienceWithKey, channelId, customIdsOf, grant, linkThroughForm, memberId, replyTo, roleId, startStack, textOf, type Stack } from "./stack.js";

const UNIVERSE = "8001";
const KEY = `pick-key-${"p".repeat(60)}`;
const NEW_KEY = `pick-key-${"n".repeat(60)}`;
/** The id of IdHolder, and the username of another account (100004): the digits that must be asked about. */
const DIGITS = "100003";
const BY_NAME = "100004";


describe("digits that are one player's id and another's username", () => {
  let stack: Stack;
  let alice: string;
  let bob: string;
  let general: string;

  const run = (userId: string, name: string, options: Record<string, string | boolean>, subcommand?: string) =>
    stack.discord.runCommand({ guildId: stack.guild.id, channelId: general, userId, name, options, ...(subcommand ? { subcommand } : {}) });
  const ask = async (userId: string, name: string, options: Record<string, string | boolean>, subcommand?: string) =>
    (await run(userId, name, options, subcommand)).waitForReply();
  const click = async (userId: string, message: APIMessage, customId: string) =>
    stack.discord.clickButton({ userId, messageId: message.id, customId });
  const patches = () => stack.roblox.calls.filter((call) => call.method === "PATCH");
  const pickOf = (message: APIMessage, userId: string) => customIdsOf(message).find((id) => id.endsWith(`:${userId}`)) ?? "";

  beforeAll(async () => {
    stack = await startStack();
    alice = memberId(stack, "alice");
    bob = memberId(stack, "bob");
    general = channelId(stack, "general");
    addExperienceWithKey(stack.roblox, { universeId: UNIVERSE, name: "Pick Park", placeId: "8002", ownerId: "94", key: KEY });
    stack.roblox.addUser({ id: "94", name: "ParkOwner" });
    stack.roblox.addUser({ id: DIGITS, name: "IdHolder", displayName: "Holder" });
    stack.roblox.addUser({ id: BY_NAME, name: DIGITS, displayName: "Digits" });
    stack.roblox.addUser({ id: "156", name: "builderman", displayName: "Builder" });
    await linkThroughForm(stack, "experience", UNIVERSE, KEY);
    await grant(stack, { type: "role", id: roleId(stack, "Moderator") }, "ban", "unban", "lookup");
    await grant(stack, { type: "user", id: bob }, "ban", "lookup");
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(() => {
    stack.roblox.clearCalls();
  });

  it("asks which player /ban meant, bans nobody, then bans exactly the one picked", async () => {
    const question = await ask(alice, "ban", { user: DIGITS, duration: "1d", reason: "which one" });
    expect(question.content).toContain(`\`${DIGITS}\` is a user id and also another player's username`);
    expect(question.embeds.map((embed) => [embed.title, embed.description, embed.thumbnail?.url])).toEqual([
      ["IdHolder · has this id", `Display name **Holder**\nRoblox user \`${DIGITS}\``, expect.stringContaining("https://")],
      [`${DIGITS} · has this username`, `Display name **Digits**\nRoblox user \`${BY_NAME}\``, expect.stringContaining("https://")],
    ]);
    expect(customIdsOf(question)).toEqual([expect.stringMatching(new RegExp(`^pick:[\\w-]+:${DIGITS}$`)), expect.stringMatching(new RegExp(`^pick:[\\w-]+:${BY_NAME}$`))]);
    expect(patches()).toEqual([]);

    const done = await (await click(alice, question, pickOf(question, BY_NAME))).waitForReply((message) => textOf(message).includes("Case #"));
    expect(textOf(done)).toContain(`Banned ${DIGITS}`);
    expect(patches().map((call) => call.path)).toEqual([`/cloud/v2/universes/${UNIVERSE}/user-restrictions/${BY_NAME}`]);
    expect(stack.roblox.restriction(UNIVERSE, DIGITS)).toBeUndefined();
  });

  it("asks before a permanent ban only once the player is picked", async () => {
    stack.roblox.addUser({ id: "100013", name: "Lifer" });
    stack.roblox.addUser({ id: "100014", name: "100013" });
    const question = await ask(alice, "ban", { user: "100013", duration: "perm", reason: "for good" });
    const confirmation = await (await click(alice, question, pickOf(question, "100013"))).waitForReply((message) => textOf(message).includes("**permanently**"));
    expect(textOf(confirmation)).toContain("Ban **Lifer** (`100013`) from Pick Park **permanently**?");
    expect(patches()).toEqual([]);
    const [confirm] = customIdsOf(confirmation);
    const done = await (await click(alice, confirmation, confirm ?? "")).waitForReply((message) => textOf(message).includes("Case #"));
    expect(textOf(done)).toContain("Banned Lifer");
    expect(patches().map((call) => call.path)).toEqual([`/cloud/v2/universes/${UNIVERSE}/user-restrictions/100013`]);
  });

  it("acts on a picked autocomplete suggestion without asking", async () => {
    const choices = await stack.discord.autocomplete({
      guildId: stack.guild.id,
      channelId: general,
      userId: alice,
      name: "ban",
      options: { duration: "1d", reason: "x" },
      focused: "user",
      value: DIGITS,
    });
    expect(choices).toEqual([
      { name: `${DIGITS} (Digits) · ${BY_NAME}`, value: `id:${BY_NAME}` },
      { name: `User id ${DIGITS}`, value: `id:${DIGITS}` },
    ]);
    const text = await replyTo(stack, alice, "unban", undefined, { user: `id:${BY_NAME}` });
    expect(text).toContain(`Unbanned ${DIGITS}`);
    expect(patches().map((call) => call.path)).toEqual([`/cloud/v2/universes/${UNIVERSE}/user-restrictions/${BY_NAME}`]);

    stack.roblox.clearCalls();
    expect(await replyTo(stack, alice, "ban", undefined, { user: `id:${DIGITS}`, duration: "1d", reason: "by id" })).toContain("Banned IdHolder");
    expect(patches().map((call) => call.path)).toEqual([`/cloud/v2/universes/${UNIVERSE}/user-restrictions/${DIGITS}`]);
    expect(stack.roblox.calls.some((call) => call.path === "/v1/usernames/users")).toBe(false);
  });

  it("asks on /unban, /lookup, /history and /case list too, and goes on with the pick", async () => {
    const unban = await ask(alice, "unban", { user: DIGITS });
    expect(unban.content).toContain("Which player did you mean?");
    expect(patches()).toEqual([]);
    const unbanned = await (await click(alice, unban, pickOf(unban, DIGITS))).waitForReply((message) => textOf(message).includes("Case #"));
    expect(textOf(unbanned)).toContain("Unbanned IdHolder");
    expect(patches().map((call) => call.path)).toEqual([`/cloud/v2/universes/${UNIVERSE}/user-restrictions/${DIGITS}`]);

    const lookup = await ask(bob, "lookup", { user: DIGITS });
    expect(customIdsOf(lookup)).toHaveLength(2);
    const profile = await (await click(bob, lookup, pickOf(lookup, BY_NAME))).waitForReply((message) => message.embeds.length > 0 && textOf(message).includes("Account age"));
    expect(textOf(profile)).toContain(`Roblox user \`${BY_NAME}\``);

    const history = await ask(bob, "history", { user: DIGITS });
    const shown = await (await click(bob, history, pickOf(history, DIGITS))).waitForReply((message) => textOf(message).startsWith("History of"));
    expect(textOf(shown)).toContain(`History of **IdHolder** (\`${DIGITS}\`) in Pick Park`);

    const cases = await ask(bob, "case", { user: DIGITS }, "list");
    const listed = await (await click(bob, cases, pickOf(cases, BY_NAME))).waitForReply((message) => textOf(message).startsWith("Cases of"));
    expect(textOf(listed)).toContain(`Cases of ${DIGITS} (${BY_NAME})`);
    expect(patches()).toHaveLength(1);
  });

  it("refuses a forged pick of a player who was not offered, with no call to Roblox", async () => {
    const question = await ask(alice, "ban", { user: DIGITS, duration: "1d", reason: "forged" });
    const token = /^pick:([\w-]+):/.exec(customIdsOf(question)[0] ?? "")?.[1];
    stack.roblox.clearCalls();
    const forged = await stack.discord.forgeClick({ guildId: stack.guild.id, channelId: general, userId: alice, messageId: question.id, customId: `pick:${token}:156` });
    expect(textOf(await forged.waitForReply())).toContain("That player was not one of the choices; nothing was done.");
    // Another moderator replaying the invoker's pick, offered id and all.
    const replayed = await stack.discord.forgeClick({ guildId: stack.guild.id, channelId: general, userId: bob, customId: `pick:${token}:${BY_NAME}` });
    expect(textOf(await replayed.waitForReply())).toContain("Only the moderator who ran this command can choose.");
    expect(stack.roblox.calls).toEqual([]);
    expect(stack.roblox.restriction(UNIVERSE, "156")).toBeUndefined();
  });

  it("re-checks the clicker's permission at the pick", async () => {
    const question = await ask(bob, "ban", { user: DIGITS, duration: "1d", reason: "no longer allowed" });
    await revokePermission(stack.warden.context.db, { guildId: stack.guild.id, subject: { type: "user", id: bob }, permission: "ban" });
    stack.roblox.clearCalls();
    const refused = await (await click(bob, question, pickOf(question, BY_NAME))).waitForReply();
    expect(textOf(refused)).toContain("You need Warden's `ban` permission");
    expect(stack.roblox.calls).toEqual([]);
  });

  it("suggests from a cache: the same text typed again costs Roblox no second call", async () => {
    const suggest = (value: string) =>
      stack.discord.autocomplete({ guildId: stack.guild.id, channelId: general, userId: alice, name: "lookup", options: {}, focused: "user", value });
    expect(await suggest("Builderman")).toEqual([{ name: "builderman (Builder) · 156", value: "id:156" }]);
    expect(await suggest("builderman")).toEqual([{ name: "builderman (Builder) · 156", value: "id:156" }]);
    expect(stack.roblox.calls.filter((call) => call.path === "/v1/usernames/users")).toHaveLength(1);
  });

  it("confirms a permanent ban with the key linked at the click, not the one read at /ban", async () => {
    const question = await ask(alice, "ban", { user: "builderman", duration: "perm", reason: "new key" });
    stack.roblox.addApiKey({ key: NEW_KEY, ownerId: "94", scopes: [{ name: "universe.user-restriction", operations: ["read", "write"], universeIds: [UNIVERSE] }] });
    await linkThroughForm(stack, "experience", UNIVERSE, NEW_KEY);
    stack.roblox.revokeApiKey(KEY);
    stack.roblox.clearCalls();
    const [confirm] = customIdsOf(question);
    const done = await (await click(alice, question, confirm ?? "")).waitForReply((message) => !textOf(message).startsWith("Banning"));
    expect(textOf(done)).toContain("Banned builderman");
    expect(patches().map((call) => call.keyFingerprint)).toEqual([fingerprint(NEW_KEY)]);
    expect(await replyTo(stack, alice, "unban", undefined, { user: "builderman" })).toContain("Unbanned builderman");
  });

  it("makes no call when a permanent ban is confirmed after the experience was unlinked", async () => {
    const question = await ask(alice, "ban", { user: "builderman", duration: "perm", reason: "for good" });
    expect(textOf(question)).toContain("**permanently**");
    await replyTo(stack, memberId(stack, "owner"), "setup", "remove", { experience: UNIVERSE });
    stack.roblox.clearCalls();
    const [confirm] = customIdsOf(question);
    const answer = await (await click(alice, question, confirm ?? "")).waitForReply((message) => !textOf(message).startsWith("Banning"));
    expect(textOf(answer)).toBe("Nothing was done: Pick Park is no longer linked to this server.");
    expect(stack.roblox.calls).toEqual([]);
    expect(stack.roblox.restriction(UNIVERSE, "156")?.active).toBe(false);
  });
});
