import { PermissionFlagsBits, REST, Routes, type APIMessage } from "discord.js";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAppealSettings } from "../../src/db/guilds.js";
import { appeals, cases } from "../../src/db/schema.js";
import { revokePermission } from "../../src/db/staffGrants.js";
import { freePort } from "../support/postgresServer.js";
import { waitUntil } from "../support/waitUntil.js";
import { seedAppeal } from "./seedAppeal.js";
import {
  DEFAULT_GUILD,
  addExperienceWithKey,
  channelId,
  customIdsOf,
  grant,
  linkThroughForm,
  memberId,
  replyTo,
  roleId,
  startStack,
  textOf,
  type Stack,
} from "./stack.js";

const UNIVERSE = "5801";
const PLACE = "5802";
const KEY = `appeal-key-${"a".repeat(60)}`;
const PLAYERS = {
  shown: { id: "5901", name: "sorry_player" },
  accepted: { id: "5902", name: "accepted_one" },
  declined: { id: "5903", name: "declined_one" },
  raced: { id: "5904", name: "raced_one" },
  waiting: { id: "5905", name: "waiting_one" },
  outage: { id: "5906", name: "outage_one" },
  unbannedMeanwhile: { id: "5907", name: "meanwhile_one" },
  interrupted: { id: "5908", name: "interrupted_one" },
  messageDeleted: { id: "5910", name: "deleted_one" },
  crashedAfterUnban: { id: "5909", name: "crashed_one" },
};
const HOSTILE_TEXT = "<b>I am sorry</b> **really** @everyone <@&1> [link](https://evil.example) ``` closed? ";

/** A stack with an experience linked, a mod log, Moderators holding ban and unban, and the helpers the tests share. */
async function startAppealsChannelStack(options: { appealSweepSeconds?: number } = {}) {
  const stack = await startStack(
    {
      ...DEFAULT_GUILD,
      channels: [
        ...(DEFAULT_GUILD.channels ?? []),
        { name: "appeals" },
        { name: "locked", overwrites: [{ bot: true, deny: PermissionFlagsBits.SendMessages }] },
      ],
    },
    options,
  );
  const owner = stack.guild.ownerId;
  const alice = memberId(stack, "alice");
  const channel = channelId(stack, "appeals");
  addExperienceWithKey(stack.roblox, { universeId: UNIVERSE, name: "Appeal Island", placeId: PLACE, ownerId: "5800", key: KEY });
  for (const player of Object.values(PLAYERS)) stack.roblox.addUser({ id: player.id, name: player.name });
  await linkThroughForm(stack, "experience", UNIVERSE, KEY);
  await replyTo(stack, owner, "setup", "channels", { log: channelId(stack, "mod-log") });
  await grant(stack, { type: "role", id: roleId(stack, "Moderator") }, "ban", "unban");

  const appealRow = async (appealId: number) => {
    const [row] = await stack.database.handle.db.select().from(appeals).where(eq(appeals.id, appealId));
    if (row === undefined) throw new Error(`no appeal ${appealId}`);
    return row;
  };
  const postsOf = (appealId: number) => stack.discord.messages(channel).filter((message) => textOf(message).includes(`Appeal #${appealId}:`));
  const posted = async (appealId: number): Promise<APIMessage> =>
    stack.discord.waitForMessage(channel, (message) => textOf(message).includes(`Appeal #${appealId}:`));
  /** A player banned through /ban, and their appeal as the page stores it. */
  const bannedAndAppealing = async (player: { id: string; name: string }, text = "Please let me back, I won't do it again.") => {
    const banned = await replyTo(stack, alice, "ban", undefined, {
      user: player.id,
      duration: "7d",
      reason: `private note on ${player.id}`,
      public_reason: "Exploiting",
    });
    expect(banned).toContain("Banned");
    return seedAppeal(stack, { universeId: UNIVERSE, userId: player.id, username: player.name, text });
  };
  return { stack, owner, alice, channel, appealRow, postsOf, posted, bannedAndAppealing };
}

describe("ban appeals, staff side, end to end", () => {
  let stack: Stack;
  let owner: string;
  let alice: string;
  let carol: string;
  let channel: string;
  let modLog: string;
  let world: Awaited<ReturnType<typeof startAppealsChannelStack>>;

  const appealRow = (appealId: number) => world.appealRow(appealId);
  const postsOf = (appealId: number) => world.postsOf(appealId);
  const posted = (appealId: number) => world.posted(appealId);
  const bannedAndAppealing = (player: { id: string; name: string }, text?: string) => world.bannedAndAppealing(player, text);
  const click = async (appealId: number, userId: string, decision: "a" | "d") =>
    stack.discord.clickButton({ userId, messageId: (await posted(appealId)).id, customId: `ap:${decision}:${appealId}` });
  const unbanPatches = (userId: string) =>
    stack.roblox.calls.filter((call) => call.method === "PATCH" && call.path.endsWith(`/user-restrictions/${userId}`));

  beforeAll(async () => {
    // No sweep here: each post must come from the notifier or from /setup appeals.
    world = await startAppealsChannelStack();
    ({ stack, owner, alice, channel } = world);
    carol = memberId(stack, "carol");
    modLog = channelId(stack, "mod-log");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("refuses an appeals channel Warden can't post in, and changes nothing", async () => {
    const answer = await replyTo(stack, owner, "setup", "appeals", { channel: channelId(stack, "locked"), enabled: true });
    expect(answer).toContain("Nothing was changed.");
    expect(answer).toContain(`Warden can't post in <#${channelId(stack, "locked")}>`);
    expect(await getAppealSettings(stack.database.handle.db, stack.guild.id)).toMatchObject({ channelId: null, enabled: false });
  });

  it("keeps an appeal sent while no channel is set, posts it once a channel is set, and says what this Warden lacks", async () => {
    const appealId = await bannedAndAppealing(PLAYERS.waiting);
    stack.warden.appealNotifier.appealSubmitted(appealId);

    const answer = await replyTo(stack, owner, "setup", "appeals", { channel, enabled: true, cooldown_days: 14 });
    expect(answer).toContain(`Appeals on: posted to <#${channel}>; a player whose appeal is declined may appeal the same ban again after 14 days.`);
    expect(answer).toContain("Players can't appeal yet: this Warden runs without `HTTP_PORT`, `PUBLIC_URL`, `ROBLOX_OAUTH_CLIENT_ID`, `ROBLOX_OAUTH_CLIENT_SECRET`");
    expect(await getAppealSettings(stack.database.handle.db, stack.guild.id)).toEqual({ channelId: channel, enabled: true, cooldownDays: 14 });
    await posted(appealId);
    expect(postsOf(appealId)).toHaveLength(1);
    expect(await replyTo(stack, owner, "setup", "show")).toContain(
      `on, posted to <#${channel}>; cooling-off after a decline: 14 days`,
    );
  });

  it("posts an appeal at once with the player, the ban's case and both reasons, and the player's words as plain text", async () => {
    const appealId = await bannedAndAppealing(PLAYERS.shown, HOSTILE_TEXT);
    stack.warden.appealNotifier.appealSubmitted(appealId);
    const message = await posted(appealId);
    const text = textOf(message);
    const banCase = (await stack.database.handle.db.select().from(cases).where(eq(cases.id, (await appealRow(appealId)).banCaseId ?? 0)))[0];
    expect(text).toContain(`Appeal #${appealId}: sorry\\_player`);
    expect(text).toContain(`Ban case\n#${banCase?.number} by <@${alice}>`);
    expect(text).toContain(`Private reason (staff only)\nprivate note on ${PLAYERS.shown.id}`);
    expect(text).toContain("Public reason (the player sees it)\nExploiting");
    expect(text).toContain(`Appeal Island (\`${UNIVERSE}\`), every place`);
    // In a code block nothing renders, and the fence the player typed cannot close it.
    expect(message.embeds[0]?.description).toContain("```\n<b>I am sorry</b> **really** @everyone <@&1> [link](https://evil.example) `\u200b`\u200b` closed? \n```");
    expect(customIdsOf(message)).toEqual([`ap:a:${appealId}`, `ap:d:${appealId}`]);
    expect(message.mentions).toEqual([]);
    const row = await appealRow(appealId);
    expect(row).toMatchObject({ channelId: channel, messageId: message.id, state: "open" });
    // Told twice (a retried request of the page): still one post.
    stack.warden.appealNotifier.appealSubmitted(appealId);
    expect(await replyTo(stack, owner, "setup", "appeals", { channel, enabled: true })).not.toContain("Posted");
    expect(postsOf(appealId)).toHaveLength(1);
  });

  it("refuses a member without unban at Accept, at Decline, and when the decline form is sent", async () => {
    const appealId = (await appealRow(await firstAppealOf(PLAYERS.shown.id))).id;
    stack.roblox.clearCalls();
    for (const decision of ["a", "d"] as const) {
      expect(textOf(await (await click(appealId, carol, decision)).waitForReply())).toContain("You need Warden's `unban` permission");
    }
    // Alice opens the form, loses `unban` meanwhile, then sends it.
    const opened = await click(appealId, alice, "d");
    await opened.waitForCallback();
    expect(opened.modal?.custom_id).toBe(`ap:d:${appealId}`);
    await revokePermission(stack.database.handle.db, { guildId: stack.guild.id, subject: { type: "role", id: roleId(stack, "Moderator") }, permission: "unban" });
    try {
      const sent = await stack.discord.submitModal({ guildId: stack.guild.id, channelId: channel, userId: alice, customId: `ap:d:${appealId}`, fields: { answer: "No." } });
      expect(textOf(await sent.waitForReply())).toContain("You need Warden's `unban` permission");
    } finally {
      await grant(stack, { type: "role", id: roleId(stack, "Moderator") }, "unban");
    }
    expect(unbanPatches(PLAYERS.shown.id)).toEqual([]);
    expect(await appealRow(appealId)).toMatchObject({ state: "open", decidedBy: null });
  });

  it("refuses an appeal's buttons and form from another server, even to its owner", async () => {
    const appealId = await firstAppealOf(PLAYERS.shown.id);
    const there = { guildId: stack.otherGuild.id, channelId: stack.otherGuild.channels.general ?? "", userId: stack.otherGuild.ownerId };
    stack.roblox.clearCalls();
    // Accept acknowledges the click first and answers in a follow-up; Decline answers instead of showing its form.
    const accept = await stack.discord.forgeClick({ ...there, customId: `ap:a:${appealId}` });
    expect(textOf(await accept.waitForFollowUp())).toContain("Warden has no such appeal in this server.");
    const decline = await stack.discord.forgeClick({ ...there, customId: `ap:d:${appealId}` });
    expect(textOf(await decline.waitForReply())).toContain("Warden has no such appeal in this server.");
    expect(decline.modal).toBeUndefined();
    const form = await stack.discord.forgeModalSubmit({ ...there, customId: `ap:d:${appealId}`, fields: { answer: "Declined from elsewhere" } });
    expect(textOf(await form.waitForReply())).toContain("Warden has no such appeal in this server.");
    expect(stack.roblox.calls.filter((call) => call.method === "PATCH")).toEqual([]);
    expect(await appealRow(appealId)).toMatchObject({ state: "open", decidedBy: null, publicAnswer: null });
  });

  it("accepts: unbans through the moderation workflow (one PATCH, a case, the mod log), and shows who decided", async () => {
    const appealId = await bannedAndAppealing(PLAYERS.accepted);
    stack.warden.appealNotifier.appealSubmitted(appealId);
    await posted(appealId);
    stack.roblox.clearCalls();
    await (await click(appealId, alice, "a")).waitForCallback();
    const decided = await stack.discord.waitForMessage(channel, (message) => textOf(message).includes(`Appeal #${appealId}:`) && textOf(message).includes("Accepted by"));
    expect(unbanPatches(PLAYERS.accepted.id)).toHaveLength(1);
    expect(stack.roblox.restriction(UNIVERSE, PLAYERS.accepted.id)?.active).toBe(false);
    const row = await appealRow(appealId);
    expect(row).toMatchObject({ state: "accepted", decidedBy: alice });
    expect(row.decidedAt).not.toBeNull();
    const [unban] = await stack.database.handle.db.select().from(cases).where(eq(cases.id, row.unbanCaseId ?? 0));
    expect(unban).toMatchObject({ action: "unban", status: "applied", privateReason: `Appeal #${appealId} accepted`, moderatorDiscordId: alice });
    expect(textOf(decided)).toContain(`Accepted by <@${alice}>`);
    expect(textOf(decided)).toContain(`unbanned, case #${unban?.number}`);
    expect(decided.components ?? []).toEqual([]);
    await stack.discord.waitForMessage(modLog, (message) => textOf(message).includes(`Case #${unban?.number} · Unban`) && textOf(message).includes(`Appeal #${appealId} accepted`));

    // A forged Decline after the Accept is told, and changes nothing.
    const late = await stack.discord.forgeClick({ guildId: stack.guild.id, channelId: channel, userId: alice, customId: `ap:d:${appealId}` });
    expect(textOf(await late.waitForReply())).toContain(`This appeal was already accepted by <@${alice}>.`);
    expect((await appealRow(appealId)).state).toBe("accepted");
  });

  it("declines through the form: the answer stored for the player, the message edited, a second decline told", async () => {
    const appealId = await bannedAndAppealing(PLAYERS.declined);
    stack.warden.appealNotifier.appealSubmitted(appealId);
    await posted(appealId);
    stack.roblox.clearCalls();
    const opened = await click(appealId, alice, "d");
    await opened.waitForCallback();
    expect(opened.modal?.custom_id).toBe(`ap:d:${appealId}`);
    const answer = "Exploiting is a permanent offence here. <b>No</b>.";
    const sent = await stack.discord.submitModal({ guildId: stack.guild.id, channelId: channel, userId: alice, customId: `ap:d:${appealId}`, fields: { answer: `  ${answer}\n` } });
    expect(textOf(await sent.waitForReply())).toContain(`Appeal #${appealId} declined.`);
    const row = await appealRow(appealId);
    expect(row).toMatchObject({ state: "declined", publicAnswer: answer, decidedBy: alice, unbanCaseId: null });
    expect(row.decidedAt).not.toBeNull();
    const decided = await stack.discord.waitForMessage(channel, (message) => textOf(message).includes(`Appeal #${appealId}:`) && textOf(message).includes("Declined by"));
    expect(textOf(decided)).toContain(`Answer to the player\n\`\`\`\n${answer}\n\`\`\``);
    expect(decided.components ?? []).toEqual([]);
    expect(unbanPatches(PLAYERS.declined.id)).toEqual([]);

    const again = await stack.discord.forgeModalSubmit({ guildId: stack.guild.id, channelId: channel, userId: owner, customId: `ap:d:${appealId}`, fields: { answer: "Other" } });
    expect(textOf(await again.waitForReply())).toContain(`This appeal was already declined by <@${alice}>.`);
    const accept = await stack.discord.forgeClick({ guildId: stack.guild.id, channelId: channel, userId: owner, customId: `ap:a:${appealId}` });
    await accept.waitForCallback();
    expect(textOf(await accept.waitForFollowUp())).toContain("already declined");
    expect((await appealRow(appealId)).publicAnswer).toBe(answer);
  });

  it("declines an appeal whose message was deleted by hand: the answer is stored, the clicker told", async () => {
    const appealId = await bannedAndAppealing(PLAYERS.messageDeleted);
    stack.warden.appealNotifier.appealSubmitted(appealId);
    const message = await posted(appealId);
    await (await click(appealId, alice, "d")).waitForCallback();
    await new REST({ api: stack.discord.apiUrl }).setToken(stack.discord.token).delete(Routes.channelMessage(channel, message.id));
    const sent = await stack.discord.submitModal({ guildId: stack.guild.id, channelId: channel, userId: alice, customId: `ap:d:${appealId}`, fields: { answer: "No." } });
    expect(textOf(await sent.waitForReply())).toContain(`Appeal #${appealId} declined.`);
    expect(await appealRow(appealId)).toMatchObject({ state: "declined", publicAnswer: "No." });
  });

  it("turns 20 simultaneous Accept clicks into one unban", async () => {
    const appealId = await bannedAndAppealing(PLAYERS.raced);
    stack.warden.appealNotifier.appealSubmitted(appealId);
    await posted(appealId);
    stack.roblox.clearCalls();
    const clicks = await Promise.all(Array.from({ length: 20 }, (_, index) => click(appealId, index % 2 === 0 ? alice : owner, "a")));
    await Promise.all(clicks.map((handle) => handle.waitForCallback()));
    await stack.discord.waitForMessage(channel, (message) => textOf(message).includes(`Appeal #${appealId}:`) && textOf(message).includes("Accepted by"));
    expect(unbanPatches(PLAYERS.raced.id)).toHaveLength(1);
    const unbans = await stack.database.handle.db.select().from(cases).where(sql`${cases.action} = 'unban' AND ${cases.robloxUserId} = ${PLAYERS.raced.id}`);
    expect(unbans).toHaveLength(1);
    // The click that decided gets no follow-up; every other one is told why nothing happened.
    const answers = await Promise.all(clicks.map((handle) => handle.waitForFollowUp(undefined, 3_000).catch(() => undefined)));
    const told = answers.filter((answer) => answer !== undefined).map((answer) => textOf(answer));
    expect(told).toHaveLength(19);
    // Stopped by the appeal's claim, before anything was recorded or read from Roblox.
    for (const text of told) expect(text).toMatch(/^This appeal (is being|was already) accepted by <@\d+>/);
  });

  it("leaves the appeal open, and tells the clicker, when the unban can't be made", async () => {
    const appealId = await bannedAndAppealing(PLAYERS.unbannedMeanwhile);
    stack.warden.appealNotifier.appealSubmitted(appealId);
    await posted(appealId);
    await replyTo(stack, alice, "unban", undefined, { user: PLAYERS.unbannedMeanwhile.id });
    const handle = await click(appealId, alice, "a");
    expect(textOf(await handle.waitForFollowUp())).toContain(`Nothing was decided; the appeal stays open. **${PLAYERS.unbannedMeanwhile.name}** (${PLAYERS.unbannedMeanwhile.id}) is not banned`);
    expect(await appealRow(appealId)).toMatchObject({ state: "open", decidedBy: null, unbanCaseId: null });
    expect(customIdsOf(await posted(appealId))).toEqual([`ap:a:${appealId}`, `ap:d:${appealId}`]);
  });

  async function firstAppealOf(userId: string): Promise<number> {
    const [row] = await stack.database.handle.db.select({ id: appeals.id }).from(appeals).where(eq(appeals.robloxUserId, userId));
    if (row === undefined) throw new Error(`no appeal of ${userId}`);
    return row.id;
  }
});

describe("the appeal sweep", () => {
  let world: Awaited<ReturnType<typeof startAppealsChannelStack>>;
  let stack: Stack;
  let alice: string;
  let channel: string;
  const appealRow = (appealId: number) => world.appealRow(appealId);
  const postsOf = (appealId: number) => world.postsOf(appealId);
  const posted = (appealId: number) => world.posted(appealId);
  const bannedAndAppealing = (player: { id: string; name: string }) => world.bannedAndAppealing(player);

  beforeAll(async () => {
    world = await startAppealsChannelStack({ appealSweepSeconds: 1 });
    ({ stack, alice, channel } = world);
    expect(await replyTo(stack, world.owner, "setup", "appeals", { channel, enabled: true })).toContain("Appeals on");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("posts, on the sweep, an appeal whose notice never came (Discord down at submit time)", async () => {
    const appealId = await bannedAndAppealing(PLAYERS.outage);
    await posted(appealId);
    expect(postsOf(appealId)).toHaveLength(1);
  });

  it("settles Accepts a dead process left: reopened with no unban on record, accepted once its unban is applied", async () => {
    const interrupted = await bannedAndAppealing(PLAYERS.interrupted);
    const crashed = await bannedAndAppealing(PLAYERS.crashedAfterUnban);
    await Promise.all([posted(interrupted), posted(crashed)]);
    // As a process that died leaves them: claimed by Alice two minutes ago, one with its unban made since, one without.
    expect(await replyTo(stack, alice, "unban", undefined, { user: PLAYERS.crashedAfterUnban.id, reason: `Appeal #${crashed} accepted` })).toContain("Unbanned");
    await stack.database.handle.db
      .update(appeals)
      .set({ state: "accepting", decidedBy: alice, updatedAt: sql`now() - interval '2 minutes'` })
      .where(sql`${appeals.id} IN (${interrupted}, ${crashed})`);

    await waitUntil(async () => (await appealRow(interrupted)).state === "open" && (await appealRow(crashed)).state === "accepted");
    expect(await appealRow(interrupted)).toMatchObject({ decidedBy: null, unbanCaseId: null });
    const settled = await stack.discord.waitForMessage(channel, (message) => textOf(message).includes(`Appeal #${crashed}:`) && textOf(message).includes("Accepted by"));
    expect(settled.components ?? []).toEqual([]);
    expect((await appealRow(crashed)).unbanCaseId).not.toBeNull();
  });

});

describe("/setup appeals on a Warden that serves the appeal page", () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(
      { ...DEFAULT_GUILD, channels: [...(DEFAULT_GUILD.channels ?? []), { name: "appeals" }] },
      { env: { HTTP_PORT: String(await freePort()), PUBLIC_URL: "https://appeals.example.org/", ROBLOX_OAUTH_CLIENT_ID: "4242", ROBLOX_OAUTH_CLIENT_SECRET: "secret" } },
    );
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("tells the configurer where players appeal, and turns appeals off again", async () => {
    const channel = channelId(stack, "appeals");
    const on = await replyTo(stack, stack.guild.ownerId, "setup", "appeals", { channel, enabled: true });
    expect(on).toContain("after 30 days");
    expect(on).toContain("Players appeal at https://appeals.example.org/appeal");
    expect(on).not.toContain("PUBLIC_URL");
    expect(textOf(stack.discord.messages(channel)[0] as APIMessage)).toContain("Players' ban appeals are posted here");
    const off = await replyTo(stack, stack.guild.ownerId, "setup", "appeals", { channel, enabled: false });
    expect(off).toContain("Appeals off");
    expect(await getAppealSettings(stack.database.handle.db, stack.guild.id)).toEqual({ channelId: channel, enabled: false, cooldownDays: 30 });
  });
});
