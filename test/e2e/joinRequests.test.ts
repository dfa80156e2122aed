import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokePermission } from "../../src/db/staffGrants.js";
import { addGroupWithKey, channelId, grant, linkThroughForm, memberId, replyTo, roleId, startStack, textOf, type Stack } from "./stack.js";

const GROUP = "7";
const KEY = `group-key-${"j".repeat(60)}`;
const REQUESTERS = ["700", "701", "702", "703", "704"];

describe("join-request review end to end", () => {
  let stack: Stack;
  let alice: string;
  let owner: string;
  let review: string;

  const decisions = (userId: string) =>
    stack.roblox.calls.filter((call) => call.method === "POST" && call.path.startsWith(`/cloud/v2/groups/${GROUP}/join-requests/${userId}:`));
  const cardOf = (userId: string) => {
    const card = stack.discord.messages(review).find((message) => message.embeds[0]?.url?.endsWith(`/users/${userId}/profile`));
    if (card === undefined) throw new Error(`no card for ${userId}`);
    return card;
  };
  const click = (userId: string, who: string, decision: "a" | "d", customId = `jr:${decision}:${GROUP}:${userId}`) =>
    stack.discord.clickButton({ userId: who, messageId: cardOf(userId).id, customId });

  beforeAll(async () => {
    stack = await startStack();
    alice = memberId(stack, "alice");
    owner = memberId(stack, "owner");
    review = channelId(stack, "join-requests");
    stack.roblox.addUser({ id: "96", name: "GroupOwner" });
    stack.roblox.addGroup({ id: GROUP, displayName: "Cafe Fans", ownerId: "96" });
    stack.roblox.addApiKey({ key: KEY, ownerId: "96", scopes: [{ name: "group", operations: ["read", "write"], groupIds: [GROUP] }] });
    for (const userId of REQUESTERS) {
      stack.roblox.addUser({ id: userId, name: `fan${userId}`, createTime: new Date(Date.now() - 30 * 86_400_000).toISOString() });
      stack.roblox.addJoinRequest({ groupId: GROUP, userId });
    }
    await linkThroughForm(stack, "group", GROUP, KEY);
    await replyTo(stack, owner, "setup", "channels", { review, log: channelId(stack, "mod-log") });
    await grant(stack, { type: "role", id: roleId(stack, "Moderator") }, "review_join_requests");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("posts each open request once, with what staff need to decide, and not again after a restart", async () => {
    // Two reviews at once (two staff, or a reviewer and the poller) share the cards out, never post one twice.
    const replies = await Promise.all([replyTo(stack, alice, "joinrequests", "review"), replyTo(stack, owner, "joinrequests", "review")]);
    const posted = replies.map((text) => Number(/posted (\d+) new/.exec(text)?.[1] ?? 0));
    expect(posted[0]! + posted[1]!).toBe(5);
    expect(stack.discord.messages(review)).toHaveLength(5);
    const card = textOf(cardOf("700"));
    expect(card).toContain("Join request: fan700");
    expect(card).toMatch(/Account age\n30 days/);
    expect(card).toContain("Banned in\nno linked experience");
    expect(await replyTo(stack, alice, "joinrequests", "review")).toBe("5 join requests waiting in Cafe Fans; nothing new to post.");
    await stack.restart();
    expect(await replyTo(stack, alice, "joinrequests", "review")).toBe("5 join requests waiting in Cafe Fans; nothing new to post.");
    expect(stack.discord.messages(review)).toHaveLength(5);
  });

  it("approves with one :accept call and shows who decided, without buttons", async () => {
    stack.roblox.clearCalls();
    await (await click("700", alice, "a")).waitForCallback();
    await stack.discord.waitForMessage(review, (message) => message.id === cardOf("700").id && textOf(message).includes("Approved by"));
    expect(decisions("700").map((call) => call.path)).toEqual([`/cloud/v2/groups/${GROUP}/join-requests/700:accept`]);
    expect(textOf(cardOf("700"))).toContain(`Approved by <@${alice}>`);
    expect(cardOf("700").components ?? []).toEqual([]);
    expect(stack.roblox.joinRequests(GROUP).map((request) => request.userId)).not.toContain("700");
  });

  it("declines with one :decline call", async () => {
    stack.roblox.clearCalls();
    await (await click("701", alice, "d")).waitForCallback();
    await stack.discord.waitForMessage(review, (message) => message.id === cardOf("701").id && textOf(message).includes("Declined by"));
    expect(decisions("701").map((call) => call.path)).toEqual([`/cloud/v2/groups/${GROUP}/join-requests/701:decline`]);
  });

  it("turns 50 simultaneous clicks into one decision and one call", async () => {
    stack.roblox.clearCalls();
    const clicks = await Promise.all(Array.from({ length: 50 }, (_, index) => click("702", index % 2 === 0 ? alice : owner, "a")));
    await Promise.all(clicks.map((handle) => handle.waitForCallback()));
    await stack.discord.waitForMessage(review, (message) => message.id === cardOf("702").id && textOf(message).includes("Approved by"));
    expect(decisions("702")).toHaveLength(1);
    // The one click that decided gets no follow-up; every other click is told why nothing happened.
    const answers = await Promise.all(clicks.map((handle) => handle.waitForFollowUp(undefined, 3_000).catch(() => undefined)));
    expect(answers.filter((answer) => answer !== undefined)).toHaveLength(49);
  });

  it("refuses a member without review_join_requests, with no call", async () => {
    stack.roblox.clearCalls();
    const refused = await click("703", memberId(stack, "carol"), "a");
    expect(textOf(await refused.waitForReply())).toContain("You need Warden's `review_join_requests` permission");
    expect(decisions("703")).toEqual([]);
  });

  it("says so when the request was handled in Roblox meanwhile", async () => {
    await fetch(`${stack.roblox.openCloudUrl}/cloud/v2/groups/${GROUP}/join-requests/703:accept`, {
      method: "POST",
      headers: { "x-api-key": KEY, "content-type": "application/json" },
      body: "{}",
    });
    await (await click("703", alice, "a")).waitForCallback();
    const updated = await stack.discord.waitForMessage(review, (message) => message.id === cardOf("703").id && textOf(message).includes("Decision"));
    expect(textOf(updated)).toContain("No longer exists in Roblox");
    expect(cardOf("703").components ?? []).toEqual([]);
  });

  it("refuses a button whose group is not linked to this server, with no call", async () => {
    await replyTo(stack, owner, "setup", "remove", { group: GROUP });
    stack.roblox.clearCalls();
    const handle = await click("704", alice, "a");
    expect(textOf(await handle.waitForFollowUp())).toContain("not linked to this server");
    expect(decisions("704")).toEqual([]);
  });
});

describe("join-request rules end to end", () => {
  const RULED = "8";
  const UNIVERSE = "8101";
  const RULED_KEY = `ruled-key-${"z".repeat(60)}`;
  const GAME_KEY = `game-key-${"y".repeat(60)}`;
  let stack: Stack;
  let owner: string;
  const days = (count: number) => new Date(Date.now() - count * 86_400_000).toISOString();

  beforeAll(async () => {
    stack = await startStack();
    owner = memberId(stack, "owner");
    stack.roblox.addUser({ id: "97", name: "RuleOwner" });
    stack.roblox.addGroup({ id: RULED, displayName: "Ruled Group", ownerId: "97" });
    stack.roblox.addUniverse({ id: UNIVERSE, displayName: "Ruled Game", placeIds: ["8102"] });
    stack.roblox.addApiKey({ key: RULED_KEY, ownerId: "97", scopes: [{ name: "group", operations: ["read", "write"], groupIds: [RULED] }] });
    stack.roblox.addApiKey({
      key: GAME_KEY,
      ownerId: "97",
      scopes: [{ name: "universe.user-restriction", operations: ["read", "write"], universeIds: [UNIVERSE] }],
    });
    stack.roblox.addUser({ id: "801", name: "newbie", createTime: days(3) });
    stack.roblox.addUser({ id: "802", name: "exploiter", createTime: days(900) });
    stack.roblox.addUser({ id: "803", name: "regular", createTime: days(500) });
    stack.roblox.banFromGameServer({ universeId: UNIVERSE, userId: "802", privateReason: "fly hacks" });
    for (const userId of ["801", "802", "803"]) stack.roblox.addJoinRequest({ groupId: RULED, userId });
    await linkThroughForm(stack, "group", RULED, RULED_KEY);
    await linkThroughForm(stack, "experience", UNIVERSE, GAME_KEY);
    await replyTo(stack, owner, "setup", "channels", { review: channelId(stack, "join-requests"), log: channelId(stack, "mod-log") });
    // A case of Warden's own before the request arrives: the card counts it.
    await replyTo(stack, owner, "ban", undefined, { user: "newbie", duration: "1d", reason: "spam", experience: UNIVERSE });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("are off by default and changed with /joinrequests rules, which the mod log records", async () => {
    expect(await replyTo(stack, owner, "joinrequests", "rules")).toBe(
      "Join rules for Ruled Group: no minimum account age; banned players go to staff; clean requests go to staff.",
    );
    const changed = await replyTo(stack, owner, "joinrequests", "rules", {
      min_account_age: 30,
      decline_banned: true,
      auto_accept: true,
    });
    expect(changed).toContain("decline accounts younger than 30 days; decline players banned in a linked experience; accept requests nothing flags");
    await stack.discord.waitForMessage(channelId(stack, "mod-log"), (message) => textOf(message).includes("Join rules for Ruled Group"));
  });

  it("decide the obvious requests as configured, each a case with the rule as its reason", async () => {
    stack.roblox.clearCalls();
    expect(await replyTo(stack, owner, "joinrequests", "review")).toBe(
      "3 join requests waiting in Ruled Group; posted 3 new to the review channel, 3 decided by the rules.",
    );
    const calls = stack.roblox.calls.filter((call) => call.method === "POST" && call.path.includes("/join-requests/")).map((call) => call.path);
    expect(calls.sort()).toEqual([
      `/cloud/v2/groups/${RULED}/join-requests/801:decline`,
      `/cloud/v2/groups/${RULED}/join-requests/802:decline`,
      `/cloud/v2/groups/${RULED}/join-requests/803:accept`,
    ]);
    const cardOf = (name: string) => stack.discord.messages(channelId(stack, "join-requests")).map(textOf).find((text) => text.includes(`Join request: ${name}`));
    expect(cardOf("newbie")).toMatch(/Banned in\nRuled Game/);
    expect(cardOf("newbie")).toMatch(/Previous cases here\n1/);
    expect(cardOf("regular")).toMatch(/Previous cases here\n0/);
    const cards = stack.discord.messages(channelId(stack, "join-requests")).map(textOf).join("\n---\n");
    expect(cards).toContain("Auto-declined: Rule: accounts must be at least 30 days old; this one is 3.");
    expect(cards).toContain("Auto-declined: Rule: players banned in a linked experience are declined (Ruled Game).");
    expect(cards).toContain("Auto-approved: Rule: nothing flags this player");
    expect(stack.discord.messages(channelId(stack, "join-requests")).every((message) => (message.components ?? []).length === 0)).toBe(true);
    const logged = await stack.discord.waitForMessage(channelId(stack, "mod-log"), (message) =>
      textOf(message).includes("Join request declined") && textOf(message).includes("30 days old"),
    );
    expect(textOf(logged)).toContain(`<@${stack.discord.botUserId}>`);
  });
});

describe("bulk join-request decisions end to end", () => {
  const BULK = "9";
  const BULK_KEY = `bulk-key-${"x".repeat(60)}`;
  const COUNT = 30;
  let stack: Stack;
  let alice: string;

  beforeAll(async () => {
    stack = await startStack();
    alice = memberId(stack, "alice");
    stack.roblox.addUser({ id: "98", name: "BulkOwner" });
    stack.roblox.addGroup({ id: BULK, displayName: "Busy Group", ownerId: "98" });
    stack.roblox.addApiKey({ key: BULK_KEY, ownerId: "98", scopes: [{ name: "group", operations: ["read", "write"], groupIds: [BULK] }] });
    for (let index = 0; index < COUNT; index += 1) {
      const userId = String(9_000 + index);
      stack.roblox.addUser({ id: userId, name: `wave${index}` });
      stack.roblox.addJoinRequest({ groupId: BULK, userId });
    }
    await linkThroughForm(stack, "group", BULK, BULK_KEY);
    await replyTo(stack, memberId(stack, "owner"), "setup", "channels", { review: channelId(stack, "join-requests") });
    await grant(stack, { type: "role", id: roleId(stack, "Moderator") }, "review_join_requests");
    await replyTo(stack, alice, "joinrequests", "review");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("refuses the bulk confirmation once the reviewer's grant is gone, deciding nothing", async () => {
    const moderator = { type: "role" as const, id: roleId(stack, "Moderator") };
    const handle = await stack.discord.runCommand({
      guildId: stack.guild.id,
      channelId: channelId(stack, "general"),
      userId: alice,
      name: "joinrequests",
      subcommand: "bulk",
      options: { decision: "decline" },
    });
    const question = await handle.waitForReply();
    const buttonId = JSON.stringify(question.components).match(/"custom_id":"(jrb:ok:[^"]+)"/)?.[1] ?? "";
    await revokePermission(stack.database.handle.db, { guildId: stack.guild.id, subject: moderator, permission: "review_join_requests" });
    stack.roblox.clearCalls();
    try {
      const click = await stack.discord.clickButton({ userId: alice, messageId: question.id, customId: buttonId });
      expect(textOf(await click.waitForReply((message) => message.id !== question.id))).toContain(
        "You need Warden's `review_join_requests` permission",
      );
      expect(stack.roblox.calls.filter((call) => call.method === "POST")).toEqual([]);
    } finally {
      await grant(stack, moderator, "review_join_requests");
    }
  });

  it("approves the open queue after a confirmation, once each, reporting progress and what was handled elsewhere", async () => {
    // One request is accepted in Roblox before the bulk run reaches it.
    await fetch(`${stack.roblox.openCloudUrl}/cloud/v2/groups/${BULK}/join-requests/9000:accept`, {
      method: "POST",
      headers: { "x-api-key": BULK_KEY, "content-type": "application/json" },
      body: "{}",
    });
    stack.roblox.clearCalls();
    const handle = await stack.discord.runCommand({
      guildId: stack.guild.id,
      channelId: channelId(stack, "general"),
      userId: alice,
      name: "joinrequests",
      subcommand: "bulk",
      options: { decision: "accept" },
    });
    const question = await handle.waitForReply();
    expect(textOf(question)).toContain(`Approve all **${COUNT}** open join requests of Busy Group?`);
    expect(stack.roblox.calls.filter((call) => call.method === "POST")).toEqual([]);

    const buttonId = JSON.stringify(question.components).match(/"custom_id":"(jrb:ok:[^"]+)"/)?.[1] ?? "";
    const confirm = await stack.discord.clickButton({ userId: alice, messageId: question.id, customId: buttonId });
    const done = await confirm.waitForReply((message) => textOf(message).startsWith("Done with"), 30_000);
    expect(textOf(done)).toBe(`Done with Busy Group: ${COUNT}/${COUNT} done: ${COUNT - 1} decided, 1 already handled, 0 failed.`);

    const accepts = stack.roblox.calls.filter((call) => call.method === "POST" && call.path.endsWith(":accept"));
    expect(new Set(accepts.map((call) => call.path)).size).toBe(COUNT);
    expect(stack.roblox.calls.filter((call) => call.status === 429)).toEqual([]);
    expect(stack.roblox.joinRequests(BULK)).toEqual([]);
    const cards = stack.discord.messages(channelId(stack, "join-requests"));
    expect(cards.filter((card) => textOf(card).includes(`Approved by <@${alice}> (bulk)`))).toHaveLength(COUNT - 1);
    expect(cards.every((card) => (card.components ?? []).length === 0)).toBe(true);
  });
});

describe("join requests that cannot be posted yet", () => {
  const GROUP_ID = "10";
  const GROUP_KEY = `unposted-key-${"u".repeat(60)}`;
  // More than Roblox's page of 20: the run stops reading once posting fails, and loses nothing.
  const COUNT = 45;
  let stack: Stack;
  let owner: string;

  beforeAll(async () => {
    stack = await startStack();
    owner = memberId(stack, "owner");
    stack.roblox.addUser({ id: "99", name: "QuietOwner" });
    addGroupWithKey(stack.roblox, { groupId: GROUP_ID, name: "Quiet Group", ownerId: "99", key: GROUP_KEY });
    for (let index = 0; index < COUNT; index += 1) {
      stack.roblox.addUser({ id: String(10_000 + index), name: `quiet${index}` });
      stack.roblox.addJoinRequest({ groupId: GROUP_ID, userId: String(10_000 + index) });
    }
    await linkThroughForm(stack, "group", GROUP_ID, GROUP_KEY);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("says why, and posts every one of them once a review channel is set", async () => {
    const review = channelId(stack, "join-requests");
    expect(await replyTo(stack, owner, "joinrequests", "review")).toContain("No review channel is set; choose one with `/setup channels review:`.");
    expect(stack.discord.messages(review)).toHaveLength(0);
    await replyTo(stack, owner, "setup", "channels", { review });
    expect(await replyTo(stack, owner, "joinrequests", "review")).toBe(
      `${COUNT} join requests waiting in Quiet Group; posted ${COUNT} new to the review channel.`,
    );
    expect(stack.discord.messages(review)).toHaveLength(COUNT);
  });
});

describe("more join requests than one run posts", () => {
  const GROUP_ID = "11";
  const GROUP_KEY = `crowded-key-${"c".repeat(60)}`;
  const COUNT = 230;
  let stack: Stack;
  let owner: string;

  beforeAll(async () => {
    stack = await startStack();
    owner = memberId(stack, "owner");
    stack.roblox.addUser({ id: "89", name: "CrowdOwner" });
    addGroupWithKey(stack.roblox, { groupId: GROUP_ID, name: "Crowded Group", ownerId: "89", key: GROUP_KEY });
    for (let index = 0; index < COUNT; index += 1) {
      stack.roblox.addUser({ id: String(20_000 + index), name: `crowd${index}` });
      stack.roblox.addJoinRequest({ groupId: GROUP_ID, userId: String(20_000 + index) });
    }
    await linkThroughForm(stack, "group", GROUP_ID, GROUP_KEY);
    await replyTo(stack, owner, "setup", "channels", { review: channelId(stack, "join-requests") });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("posts them over several runs, past the ones already posted, and says when more are waiting", async () => {
    expect(await replyTo(stack, owner, "joinrequests", "review")).toBe(
      "More than 200 join requests waiting in Crowded Group; posted 200 new to the review channel.\n" +
        "The rest are posted by the next run: run this again, or let the next poll do it.",
    );
    expect(await replyTo(stack, owner, "joinrequests", "review")).toBe(
      `${COUNT} join requests waiting in Crowded Group; posted ${COUNT - 200} new to the review channel.`,
    );
    const cards = stack.discord.messages(channelId(stack, "join-requests"));
    expect(cards).toHaveLength(COUNT);
    expect(new Set(cards.map((card) => card.embeds[0]?.url)).size).toBe(COUNT);
  });
});
