import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cases } from "../../src/db/schema.js";
import { waitUntil } from "../support/waitUntil.js";
import {
  addExperienceWithKey,
  addGroupWithKey,
  channelId,
  finishedRuns,
  grant,
  linkThroughForm,
  memberId,
  replyTo,
  roleId,
  startStack,
  textOf,
  type Stack,
} from "./stack.js";

const GAME = "8001";
const IMPOSTOR = "9001";
const TWIN_A = "9101";
const TWIN_B = "9102";
const GROUP = "7";
const IMPOSTOR_GROUP = "70";
const OWNER = "95";
const REQUESTER = "7700";
const key = (id: string) => `names-key-${id}-${"n".repeat(50)}`;

describe("link names never beat ids, end to end", () => {
  let stack: Stack;
  let alice: string;
  let owner: string;

  const writes = () => stack.roblox.calls.filter((call) => call.method !== "GET" && call.path.startsWith("/cloud/"));
  /** A name stored as it is, as one saved before names were checked (or by a race) would be. */
  const rename = (table: "universe_links" | "group_links", robloxId: string, name: string) =>
    stack.database.handle.executeSql(
      `UPDATE ${table} SET display_name = $1 WHERE ${table === "universe_links" ? "universe_id" : "group_id"} = $2`,
      [name, robloxId],
    );

  beforeAll(async () => {
    stack = await startStack(undefined, { banSyncSeconds: 1 });
    alice = memberId(stack, "alice");
    owner = memberId(stack, "owner");
    stack.roblox.addUser({ id: OWNER, name: "NamesOwner" });
    stack.roblox.addUser({ id: "4001", name: "griefer" });
    stack.roblox.addUser({ id: REQUESTER, name: "newfan", createTime: new Date(Date.now() - 30 * 86_400_000).toISOString() });
    for (const [universeId, name, placeId] of [
      [GAME, "Big Game", "8002"],
      [IMPOSTOR, "Other Game", "9002"],
      [TWIN_A, "Twin One", "9103"],
      [TWIN_B, "Twin Two", "9104"],
    ] as const) {
      addExperienceWithKey(stack.roblox, { universeId, name, placeId, ownerId: OWNER, key: key(universeId) });
      await linkThroughForm(stack, "experience", universeId, key(universeId));
    }
    for (const [groupId, name] of [
      [GROUP, "Cafe Fans"],
      [IMPOSTOR_GROUP, "Other Fans"],
    ] as const) {
      addGroupWithKey(stack.roblox, { groupId, name, ownerId: OWNER, key: key(groupId) });
      await linkThroughForm(stack, "group", groupId, key(groupId));
    }
    stack.roblox.addJoinRequest({ groupId: GROUP, userId: REQUESTER });
    stack.roblox.addJoinRequest({ groupId: IMPOSTOR_GROUP, userId: REQUESTER });
    await replyTo(stack, owner, "setup", "channels", { review: channelId(stack, "join-requests"), log: channelId(stack, "mod-log") });
    await grant(stack, { type: "role", id: roleId(stack, "Moderator") }, "ban", "review_join_requests");
    await rename("universe_links", IMPOSTOR, GAME);
    await rename("universe_links", TWIN_A, "Twin");
    await rename("universe_links", TWIN_B, "twin");
    await rename("group_links", IMPOSTOR_GROUP, GROUP);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** /setup with a name: the refusal comes before any form, so no key is typed for nothing. */
  async function setupNamed(kind: "experience" | "group", robloxId: string, name: string) {
    const handle = await stack.discord.runCommand({
      guildId: stack.guild.id,
      channelId: channelId(stack, "general"),
      userId: owner,
      name: "setup",
      subcommand: kind,
      options: kind === "experience" ? { universe: robloxId, name } : { group: robloxId, name },
    });
    await handle.waitForCallback();
    return handle;
  }

  it("bans in the experience with the typed id, not in one named like it", async () => {
    stack.roblox.clearCalls();
    const text = await replyTo(stack, alice, "ban", undefined, { user: "griefer", duration: "1d", reason: "griefing", experience: GAME });
    expect(text).toContain("Banned griefer");
    expect(stack.roblox.restriction(GAME, "4001")?.active).toBe(true);
    expect(stack.roblox.restriction(IMPOSTOR, "4001")).toBeUndefined();
    expect(writes().map((call) => `${call.method} ${call.path}`)).toEqual([`PATCH /cloud/v2/universes/${GAME}/user-restrictions/4001`]);
  });

  it("syncs each experience's own outside bans, not those of one named like it", async () => {
    const runs = await finishedRuns(stack, "bans.sync");
    await waitUntil(async () => (await finishedRuns(stack, "bans.sync")) > runs);
    stack.roblox.addUser({ id: "4002", name: "hubbanned" });
    stack.roblox.banFromCreatorHub({ universeId: GAME, userId: "4002", moderatorId: OWNER, privateReason: "from Creator Hub" });
    const casesOf = (universeId: string) =>
      stack.database.handle.db
        .select()
        .from(cases)
        .where(and(eq(cases.guildId, stack.guild.id), eq(cases.universeId, universeId), eq(cases.robloxUserId, "4002")));
    await waitUntil(async () => (await casesOf(GAME)).length > 0);
    expect(await casesOf(IMPOSTOR)).toEqual([]);
  });

  it("asks for the id when a name is shared, and acts on nothing", async () => {
    stack.roblox.clearCalls();
    const text = await replyTo(stack, alice, "ban", undefined, { user: "griefer", duration: "1d", reason: "griefing", experience: "TWIN" });
    expect(text).toContain("Several linked experiences are named");
    expect(text).toContain(`\`${TWIN_A}\``);
    expect(text).toContain(`\`${TWIN_B}\``);
    expect(writes()).toEqual([]);
  });

  it("decides a join request in the group of the button's id, not in one named like it", async () => {
    await replyTo(stack, alice, "joinrequests", "review", { group: GROUP });
    const card = stack.discord
      .messages(channelId(stack, "join-requests"))
      .find((message) => message.embeds[0]?.url?.endsWith(`/users/${REQUESTER}/profile`));
    if (card === undefined) throw new Error("no card was posted");
    stack.roblox.clearCalls();
    const click = await stack.discord.clickButton({ userId: alice, messageId: card.id, customId: `jr:a:${GROUP}:${REQUESTER}` });
    await click.waitForCallback();
    await stack.discord.waitForMessage(channelId(stack, "join-requests"), (message) => message.id === card.id && textOf(message).includes("Approved by"));
    expect(writes().map((call) => call.path)).toEqual([`/cloud/v2/groups/${GROUP}/join-requests/${REQUESTER}:accept`]);
    expect(stack.roblox.joinRequests(IMPOSTOR_GROUP).map((request) => request.userId)).toEqual([REQUESTER]);
  });

  it("refuses a name that is another link's id, another link's name, or reads as an id", async () => {
    const refused = async (kind: "experience" | "group", robloxId: string, name: string) => {
      const handle = await setupNamed(kind, robloxId, name);
      expect(handle.modal).toBeUndefined();
      return textOf(await handle.waitForReply());
    };
    expect(await refused("experience", "4242", GAME)).toContain(`\`${GAME}\` is the id of the linked experience **Big Game**`);
    expect(await refused("experience", "4242", GROUP)).toContain(`\`${GROUP}\` is the id of the linked group **Cafe Fans**`);
    expect(await refused("group", "4343", "big game")).toContain(`The linked experience \`${GAME}\` is already named **Big Game**`);
    expect(await refused("experience", "4242", "12345")).toContain("digits only");
  });

  it("links under its own id as a name, and checks the name again when the key is given", async () => {
    const own = await setupNamed("experience", "4242", "4242");
    expect(own.modal).toBeDefined();

    // The form was opened while the name was free; someone took it before the key was pasted.
    const late = await setupNamed("experience", "4343", "Fresh Game");
    const modal = late.modal;
    if (modal === undefined) throw new Error("no modal was shown");
    await rename("universe_links", TWIN_A, "fresh game");
    stack.roblox.clearCalls();
    const submitted = await stack.discord.submitModal({
      guildId: stack.guild.id,
      channelId: channelId(stack, "general"),
      userId: owner,
      customId: modal.custom_id,
      fields: { api_key: key("4343") },
    });
    expect(textOf(await submitted.waitForReply())).toContain(`The linked experience \`${TWIN_A}\` is already named **fresh game**`);
    expect(stack.roblox.calls).toEqual([]);
    expect(await replyTo(stack, owner, "setup", "show")).not.toContain("4343");
  });
});

describe("link suggestions", () => {
  // Its id is part of every other id, and its name sorts after every other name.
  const SHORT = "81";
  const OTHERS = Array.from({ length: 26 }, (_, index) => String(8100 + index));
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    stack.roblox.addUser({ id: OWNER, name: "NamesOwner" });
    for (const universeId of [...OTHERS, SHORT]) {
      const name = universeId === SHORT ? "Zeta" : `Game ${universeId}`;
      addExperienceWithKey(stack.roblox, { universeId, name, placeId: `${universeId}0`, ownerId: OWNER, key: key(universeId) });
      await linkThroughForm(stack, "experience", universeId, key(universeId));
    }
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("offers the link with the typed id first, by its id, so Discord's cut to 25 never drops it", async () => {
    const choices = await stack.discord.autocomplete({
      guildId: stack.guild.id,
      channelId: channelId(stack, "general"),
      userId: memberId(stack, "owner"),
      name: "bans",
      focused: "experience",
      value: SHORT,
    });
    expect(choices).toHaveLength(25);
    expect(choices[0]).toEqual({ name: `Zeta (${SHORT})`, value: SHORT });
    expect(choices.slice(1).every((choice) => OTHERS.includes(String(choice.value)))).toBe(true);
  });
});

describe("join requests polled for a group with a link named like it", () => {
  let stack: Stack;
  let review: string;
  const cardButtons = () => stack.discord.messages(review).flatMap((message) => JSON.stringify(message.components).match(/jr:a:\d+:\d+/g) ?? []);

  beforeAll(async () => {
    stack = await startStack(undefined, { joinRequestMinIntervalSeconds: 1 });
    review = channelId(stack, "join-requests");
    stack.roblox.addUser({ id: OWNER, name: "NamesOwner" });
    await replyTo(stack, memberId(stack, "owner"), "setup", "channels", { review });
    for (const [groupId, name] of [
      [GROUP, "Cafe Fans"],
      [IMPOSTOR_GROUP, "Other Fans"],
    ] as const) {
      addGroupWithKey(stack.roblox, { groupId, name, ownerId: OWNER, key: key(groupId) });
      await linkThroughForm(stack, "group", groupId, key(groupId));
    }
    await stack.database.handle.executeSql("UPDATE group_links SET display_name = $1 WHERE group_id = $2", [GROUP, IMPOSTOR_GROUP]);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("posts each group's own requests, under its own id", async () => {
    // Asked only now, so every poll that sees them runs with the impostor's name in place.
    for (const [userId, groupId] of [
      ["7801", GROUP],
      ["7802", IMPOSTOR_GROUP],
    ] as const) {
      stack.roblox.addUser({ id: userId, name: `joiner${userId}`, createTime: new Date(Date.now() - 90 * 86_400_000).toISOString() });
      stack.roblox.addJoinRequest({ groupId, userId });
    }
    await waitUntil(() => cardButtons().length === 2);
    expect(cardButtons().sort()).toEqual([`jr:a:${GROUP}:7801`, `jr:a:${IMPOSTOR_GROUP}:7802`].sort());
  });
});
