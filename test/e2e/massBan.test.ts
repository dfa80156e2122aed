import type { APIMessage } from "discord.js";
import { and, eq, isNotNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../support/waitUntil.js";
import { cases } from "../../src/db/schema.js";
import { addExperienceWithKey, channelId, customIdsOf, customIdStarting, grant, linkThroughForm, memberId, replyTo, roleId, startStack, textOf, type Stack } from "./stack.js";

const UNIVERSE = "7001";
const KEY = `mass-key-${"m".repeat(60)}`;
const RAIDERS = 200;

describe("/massban and /massunban end to end", () => {
  let stack: Stack;
  let alice: string;
  let general: string;
  let modLog: string;
  const raiders = Array.from({ length: RAIDERS }, (_, index) => ({ id: String(500_000 + index), name: `raider${index}` }));

  const patchesFor = (userIds: readonly string[]) =>
    stack.roblox.calls.filter((call) => call.method === "PATCH" && userIds.some((id) => call.path.endsWith(`/user-restrictions/${id}`)));
  const preview = async (userId: string, name: "massban" | "massunban", options: Record<string, string | boolean>) =>
    (await stack.discord.runCommand({ guildId: stack.guild.id, channelId: general, userId, name, options })).waitForReply();
  const click = (userId: string, message: APIMessage, customId: string) =>
    stack.discord.clickButton({ guildId: stack.guild.id, channelId: general, userId, messageId: message.id, customId });
  const runCases = async () => stack.database.handle.db.select().from(cases).where(and(eq(cases.guildId, stack.guild.id), isNotNull(cases.bulkRunId)));

  beforeAll(async () => {
    stack = await startStack();
    alice = memberId(stack, "alice");
    general = channelId(stack, "general");
    modLog = channelId(stack, "mod-log");
    stack.roblox.addUser({ id: "95", name: "MassOwner" });
    addExperienceWithKey(stack.roblox, { universeId: UNIVERSE, name: "Raid Target", placeId: "7002", ownerId: "95", key: KEY });
    for (const raider of raiders) stack.roblox.addUser(raider);
    // Digits that are one account's id and another's username: never guessed.
    stack.roblox.addUser({ id: "424242", name: "HasThatId" });
    stack.roblox.addUser({ id: "31337", name: "424242" });
    await linkThroughForm(stack, "experience", UNIVERSE, KEY);
    await replyTo(stack, stack.guild.ownerId, "setup", "channels", { log: modLog });
    await grant(stack, { type: "role", id: roleId(stack, "Moderator") }, "ban", "unban");
    await grant(stack, { type: "user", id: memberId(stack, "bob") }, "ban");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("previews a mixed list exactly and sends nothing before Confirm; Cancel and another member's click send nothing", async () => {
    stack.roblox.banFromCreatorHub({ universeId: UNIVERSE, userId: raiders[3]?.id ?? "", moderatorId: "95" });
    const typed = [
      "raider0, raider1;raider2",
      `id:${raiders[3]?.id}`,
      `RAIDER0 ${raiders[1]?.id}`,
      "nobody_here_123",
      "424242",
      "not-a-name!",
    ].join("\n");
    const shown = await preview(alice, "massban", { users: typed, duration: "7d", reason: "raid wave" });
    const text = textOf(shown);
    expect(text).toContain("3 players will be banned in Raid Target");
    expect(text).toContain("already banned: 1");
    expect(text).toContain("No such Roblox user: 1 (`nobody_here_123`)");
    expect(text).toContain("another (write `id:<id>` or the name): 1 (`424242`)");
    expect(text).toContain("Not a username or user id: 1 (`not-a-name!`)");
    expect(text).toContain("Duplicates dropped: 2");
    expect(patchesFor(raiders.map((raider) => raider.id))).toHaveLength(0);

    // Another moderator cannot see the preview; a click forged with its id is still turned away.
    const stranger = await stack.discord.forgeClick({ guildId: stack.guild.id, channelId: general, userId: memberId(stack, "bob"), customId: customIdStarting(shown, "mb:ok:") });
    expect(textOf(await stranger.waitForReply())).toContain("Only the moderator who asked for this preview can answer it.");
    const dropped = await click(alice, shown, customIdStarting(shown, "mb:no:"));
    expect(textOf(await dropped.waitForReply((message) => textOf(message).includes("Cancelled")))).toContain("nothing was sent");
    expect(patchesFor(raiders.map((raider) => raider.id))).toHaveLength(0);
    expect(await runCases()).toHaveLength(0);
  });

  it(`bans ${RAIDERS} players once each with no 429, shows progress that ends finished, and posts one summary with the list`, async () => {
    const logBefore = stack.discord.messages(modLog).length;
    const shown = await preview(alice, "massban", { users: raiders.map((raider) => raider.name).join("\n"), duration: "1d", reason: "raid wave" });
    expect(textOf(shown)).toContain(`**${RAIDERS - 1} players will be banned in Raid Target.**`);
    await (await click(alice, shown, customIdStarting(shown, "mb:ok:"))).waitForCallback();

    const summary = await stack.discord.waitForMessage(modLog, (message) => textOf(message).includes("Mass ban in Raid Target"), 60_000);
    expect(textOf(summary)).toContain(`**${RAIDERS - 1}** applied · **0** failed · **0** not sent · **1** skipped`);
    expect(summary.attachments[0]?.filename).toMatch(/^mass-ban-.*\.csv$/);
    // One post for the run, not one per case.
    expect(stack.discord.messages(modLog).length - logBefore).toBe(1);

    const others = raiders.filter((raider) => raider.id !== raiders[3]?.id);
    for (const raider of others) expect(stack.roblox.restriction(UNIVERSE, raider.id)?.active).toBe(true);
    expect(patchesFor(others.map((raider) => raider.id))).toHaveLength(others.length);
    expect(stack.roblox.calls.filter((call) => call.status === 429)).toEqual([]);
    const recorded = await runCases();
    expect(recorded).toHaveLength(others.length);
    expect(recorded.every((row) => row.status === "applied" && row.modLogMessageId === null)).toBe(true);

    const progress = await stack.discord.waitForMessage(general, (message) => textOf(message).includes("Mass ban in Raid Target: finished"));
    expect(textOf(progress)).toContain(`**${RAIDERS - 1}** applied · **0** failed · **0** remaining of ${RAIDERS - 1}`);
    expect(customIdsOf(progress)).toHaveLength(0);
  }, 90_000);

  it("unbans the same list with /massunban, and refuses a member without the permission at the command and at the button", async () => {
    const names = raiders.slice(0, 20).map((raider) => raider.name).join(" ");
    expect(textOf(await preview(memberId(stack, "bob"), "massunban", { users: names }))).toMatch(/permission/i);

    const shown = await preview(alice, "massunban", { users: names, reason: "appeal wave" });
    expect(textOf(shown)).toContain("20 players will be unbanned in Raid Target");
    // Bob may ban but not unban: a forged Confirm of an unban run is refused on that, before anything else.
    const forged = await stack.discord.forgeClick({ guildId: stack.guild.id, channelId: general, userId: memberId(stack, "bob"), customId: customIdStarting(shown, "mb:ok:") });
    expect(textOf(await forged.waitForReply())).toMatch(/permission/i);
    await (await click(alice, shown, customIdStarting(shown, "mb:ok:"))).waitForCallback();
    await stack.discord.waitForMessage(modLog, (message) => textOf(message).includes("Mass unban in Raid Target"), 60_000);
    for (const raider of raiders.slice(0, 20)) expect(stack.roblox.restriction(UNIVERSE, raider.id)?.active).toBe(false);
    expect(stack.roblox.restriction(UNIVERSE, raiders[20]?.id ?? "")?.active).toBe(true);
  }, 60_000);

  it("bans every player exactly once through 20% injected faults: 5xx, resets, and bans applied whose answer is lost", async () => {
    const faulty = Array.from({ length: 100 }, (_, index) => ({ id: String(610_000 + index), name: `faulty${index}` }));
    for (const player of faulty) stack.roblox.addUser(player);
    const shown = await preview(alice, "massban", { users: faulty.map((player) => player.name).join(" "), duration: "2d", reason: "faulty wave" });
    stack.roblox.setFaults({ errorRate: 0.1, resetRate: 0.05, applyThenFailRate: 0.05 });
    try {
      await (await click(alice, shown, customIdStarting(shown, "mb:ok:"))).waitForCallback();
      const summary = await stack.discord.waitForMessage(modLog, (message) => textOf(message).includes("faulty wave"), 90_000);
      expect(textOf(summary)).toContain("**100** applied · **0** failed · **0** not sent");
    } finally {
      stack.roblox.setFaults({ errorRate: 0, resetRate: 0, applyThenFailRate: 0 });
    }
    expect(stack.roblox.calls.filter((call) => call.fault !== undefined).length).toBeGreaterThan(0);
    for (const player of faulty) {
      expect(stack.roblox.restriction(UNIVERSE, player.id)?.active).toBe(true);
      // Roblox's own log: one ban each, however often a PATCH was sent again with its idempotency key.
      expect(stack.roblox.logs(UNIVERSE).filter((entry) => entry.user === `users/${player.id}`)).toHaveLength(1);
    }
  }, 120_000);

  it("reads the list from an attached .txt or .csv file, downloaded when the command arrives", async () => {
    const filers = Array.from({ length: 50 }, (_, index) => ({ id: String(600_000 + index), name: `filer${index}` }));
    for (const filer of filers) stack.roblox.addUser(filer);
    const txt = stack.discord.uploadAttachment({ filename: "raid.txt", content: filers.map((filer) => filer.name).join("\r\n"), contentType: "text/plain" });
    const shown = await preview(alice, "massban", { file: txt, duration: "3d", reason: "file raid" });
    expect(textOf(shown)).toContain("50 players will be banned in Raid Target");
    await (await click(alice, shown, customIdStarting(shown, "mb:ok:"))).waitForCallback();
    const summary = await stack.discord.waitForMessage(modLog, (message) => textOf(message).includes("Mass ban in Raid Target") && textOf(message).includes("file raid"), 60_000);
    expect(textOf(summary)).toContain("**50** applied");
    for (const filer of filers) expect(stack.roblox.restriction(UNIVERSE, filer.id)?.active).toBe(true);

    // A spreadsheet's export: a header, the player in the first column, the rest ignored.
    const csv = stack.discord.uploadAttachment({ filename: "Appeals.CSV", content: "username,note\nfiler0,ok, really\nfiler1,also\n" });
    expect(textOf(await preview(alice, "massunban", { file: csv }))).toContain("2 players will be unbanned in Raid Target");
  }, 90_000);

  it("explains an expired link, an oversized file, a file that is not a list, and sends nothing", async () => {
    const before = stack.roblox.calls.length;
    const expired = stack.discord.uploadAttachment({ filename: "old.txt", content: "raider1" });
    stack.discord.expireAttachment(expired);
    expect(textOf(await preview(alice, "massban", { file: expired, duration: "1d", reason: "x" }))).toContain("The link to `old.txt` has expired");
    const huge = stack.discord.uploadAttachment({ filename: "huge.txt", content: "raider1\n".repeat(200_000) });
    expect(textOf(await preview(alice, "massban", { file: huge, duration: "1d", reason: "x" }))).toContain("`huge.txt` is larger than 1024 KiB");
    const image = stack.discord.uploadAttachment({ filename: "list.png", content: Buffer.from([0x89, 0x50, 0x4e, 0x47]) });
    expect(textOf(await preview(alice, "massban", { file: image, duration: "1d", reason: "x" }))).toContain("`list.png` is not a list");
    const disguised = stack.discord.uploadAttachment({ filename: "list.txt", content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe]) });
    expect(textOf(await preview(alice, "massban", { file: disguised, duration: "1d", reason: "x" }))).toContain("`list.txt` is not a text file");
    expect(stack.roblox.calls.length).toBe(before);
  });
});

describe("a mass run cancelled from its progress message", () => {
  let stack: Stack;
  const players = Array.from({ length: 60 }, (_, index) => ({ id: String(720_000 + index), name: `flood${index}` }));

  beforeAll(async () => {
    // Roblox's real pace, 10 bans a second: the run is still going when Cancel is clicked.
    stack = await startStack(undefined, { timeScale: 1 });
    stack.roblox.addUser({ id: "97", name: "FloodOwner" });
    addExperienceWithKey(stack.roblox, { universeId: "7201", name: "Flood Zone", placeId: "7202", ownerId: "97", key: KEY });
    for (const player of players) stack.roblox.addUser(player);
    await linkThroughForm(stack, "experience", "7201", KEY);
    await replyTo(stack, stack.guild.ownerId, "setup", "channels", { log: channelId(stack, "mod-log") });
    await grant(stack, { type: "user", id: memberId(stack, "alice") }, "ban");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("lets a moderator's /ban in the middle of a run through within a turn or two", async () => {
    const alice = memberId(stack, "alice");
    const general = channelId(stack, "general");
    const crowd = Array.from({ length: 40 }, (_, index) => ({ id: String(730_000 + index), name: `crowd${index}` }));
    for (const player of crowd) stack.roblox.addUser(player);
    stack.roblox.addUser({ id: "729999", name: "latecomer" });
    const shown = await (
      await stack.discord.runCommand({
        guildId: stack.guild.id,
        channelId: general,
        userId: alice,
        name: "massban",
        options: { users: crowd.map((player) => player.name).join(" "), duration: "1h", reason: "crowd" },
      })
    ).waitForReply();
    const start = customIdStarting(shown, "mb:ok:");
    await (await stack.discord.clickButton({ userId: alice, messageId: shown.id, customId: start })).waitForCallback();
    await waitUntil(() => stack.roblox.received.filter((call) => call.method === "PATCH").length >= 5);
    const ban = await stack.discord.runCommand({ guildId: stack.guild.id, channelId: general, userId: alice, name: "ban", options: { user: "id:729999", duration: "1d", reason: "mid-run" } });
    expect(textOf(await ban.waitForReply((message) => textOf(message).includes("Case #")))).toContain("Banned latecomer");
    // From the moment the /ban looked its player up (then it records the case and queues its PATCH),
    // how many of the run's PATCHes went out before its own: the run keeps forty players in progress,
    // and the /ban takes turns with them instead of queueing behind them.
    const arrivals = stack.roblox.received.map((call) => `${call.method} ${call.path}`);
    const lookedUp = arrivals.indexOf("GET /cloud/v2/users/729999");
    const sent = arrivals.indexOf("PATCH /cloud/v2/universes/7201/user-restrictions/729999");
    expect(lookedUp).toBeGreaterThanOrEqual(0);
    expect(arrivals.slice(lookedUp, sent).filter((call) => call.startsWith("PATCH")).length).toBeLessThanOrEqual(4);
    await stack.discord.waitForMessage(channelId(stack, "mod-log"), (message) => textOf(message).includes("Mass ban in Flood Zone"), 30_000);
  }, 60_000);

  it("stops between two calls: what was applied stays applied, the rest is listed as not sent", async () => {
    const alice = memberId(stack, "alice");
    const general = channelId(stack, "general");
    const shown = await (
      await stack.discord.runCommand({
        guildId: stack.guild.id,
        channelId: general,
        userId: alice,
        name: "massban",
        options: { users: players.map((player) => player.name).join(" "), duration: "perm", reason: "flood" },
      })
    ).waitForReply();
    const start = customIdStarting(shown, "mb:ok:");
    await (await stack.discord.clickButton({ userId: alice, messageId: shown.id, customId: start })).waitForCallback();
    const progress = await stack.discord.waitForMessage(general, (message) => textOf(message).includes("Mass ban in Flood Zone: running"));
    const ownPatches = () =>
      stack.roblox.calls.filter((call) => call.method === "PATCH" && players.some((player) => call.path.endsWith(`/user-restrictions/${player.id}`)));
    await waitUntil(() => ownPatches().length >= 10);
    const cancel = customIdStarting(progress, "mb:x:");
    // Carol holds no permission: her click stops nothing.
    expect(textOf(await (await stack.discord.clickButton({ userId: memberId(stack, "carol"), messageId: progress.id, customId: cancel })).waitForReply())).toMatch(/permission/i);
    const cancelled = await stack.discord.clickButton({ userId: alice, messageId: progress.id, customId: cancel });
    expect(textOf(await cancelled.waitForReply())).toContain("Cancelled: nothing more is sent.");

    const summary = await stack.discord.waitForMessage(
      channelId(stack, "mod-log"),
      (message) => textOf(message).includes("Mass ban in Flood Zone") && textOf(message).includes("cancelled by"),
      30_000,
    );
    const applied = players.filter((player) => stack.roblox.restriction("7201", player.id)?.active === true).length;
    expect(applied).toBeGreaterThanOrEqual(10);
    expect(applied).toBeLessThan(players.length);
    expect(textOf(summary)).toContain(`**${applied}** applied · **0** failed · **${players.length - applied}** not sent`);
    expect(textOf(summary)).toContain(`cancelled by <@${alice}>`);
    expect(ownPatches()).toHaveLength(applied);
    expect(textOf(await stack.discord.waitForMessage(general, (message) => message.id === progress.id && textOf(message).includes("cancelled by")))).toContain(
      `**${applied}** applied`,
    );
  }, 60_000);
});
