// Several bot processes, one shard each, against one PostgreSQL and one local Open Cloud: a file
// of its own, because it starts three compiled bots and waits out Discord's identify window.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { commands } from "../../commands/index.js";
import { createApiKeyCipher } from "../../src/db/apiKeyCipher.js";
import { keyLabel, upsertLink } from "../../src/db/links.js";
import { and, eq } from "drizzle-orm";
import { storeApiKey } from "../../src/db/apiKeys.js";
import { cases } from "../../src/db/schema.js";
import { setGuildChannels } from "../../src/db/guilds.js";
import { startOpenCloudEmulator, type OpenCloudEmulator, type ReceivedCall } from "../emulators/opencloud/index.js";
import { startDiscordEmulator, type DiscordEmulator, type EmulatedGuild } from "../emulators/discord/index.js";
import { shardOf } from "../emulators/discord/gateway.js";
import { compiledEntryPoint } from "../support/compiledBot.js";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.js";
import { setGuard } from "../../src/db/moderatorPauses.js";
import { waitUntil } from "../support/waitUntil.js";
import { addGroupWithKey, textOf } from "./stack.js";

const SHARD_COUNT = 3;
const SHARED_UNIVERSE = "8100";
const SHARED_OWNER = "8000";
const BANS_PER_GUILD = 25;
/** A dead process's heartbeat is old after 20 s and live ones look every 5 s; a little on top for a loaded machine. */
const TAKEOVER_BOUND_MS = 40_000;
/** Each process serves /healthz and /metrics on a port of its own, apart from other test files' ports. */
const HTTP_BASE_PORT = 40_000 + Math.floor(Math.random() * 10_000);
const httpPort = (shard: number) => HTTP_BASE_PORT + shard;
/** Discord's own window: the processes start together and must take turns without an Invalid Session. */
const IDENTIFY_WINDOW_MS = 5_000;

interface BotProcess {
  child: ChildProcessWithoutNullStreams;
  output: string;
  exited: Promise<number | null>;
}

describe(`${SHARD_COUNT} processes, one shard each, on one PostgreSQL`, () => {
  let discord: DiscordEmulator;
  let roblox: OpenCloudEmulator;
  let database: TestDatabase;
  let scratch: string;
  const bots: BotProcess[] = [];
  /** How each shard's process is started, to start it again. */
  const envs: { env: Record<string, string>; cwd: string }[] = [];
  const guilds: EmulatedGuild[] = [];

  beforeAll(async () => {
    discord = await startDiscordEmulator({ shards: SHARD_COUNT, maxConcurrency: 1, identifyWindowMs: IDENTIFY_WINDOW_MS });
    // Guild ids are snowflakes of their creation time: add guilds until every shard has one.
    while (new Set(guilds.map((guild) => shardOf(guild.id, SHARD_COUNT))).size < SHARD_COUNT) {
      guilds.push(
        discord.addGuild({ name: `Guild ${guilds.length}`, channels: [{ name: "general" }, { name: "join-requests" }, { name: "mod-log" }] }),
      );
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    // Roblox's own time: the bots plan in it, so a budget two processes overspend shows as 429s.
    roblox = await startOpenCloudEmulator();
    database = await createTestDatabase("postgres", { migrate: true });
    const encryptionKey = randomBytes(32);
    // Each guild has a group with one join request waiting, linked before any bot starts: every
    // process polls its shard's groups as it starts.
    for (const [index, guild] of guilds.entries()) {
      const groupId = String(7100 + index);
      const key = `shard-key-${index}-${"s".repeat(50)}`;
      addGroupWithKey(roblox, { groupId, name: `Group ${index}`, ownerId: String(7200 + index), key });
      roblox.addUser({ id: String(7300 + index), name: `joiner${index}`, createTime: new Date(Date.now() - 90 * 86_400_000).toISOString() });
      roblox.addJoinRequest({ groupId, userId: String(7300 + index) });
      const db = database.handle.db;
      const stored = await storeApiKey(db, createApiKeyCipher(encryptionKey), {
        guildId: guild.id,
        label: keyLabel("group", groupId),
        apiKey: key,
        createdBy: guild.ownerId,
      });
      await upsertLink(db, { guildId: guild.id, kind: "group", robloxId: groupId, displayName: `Group ${index}`, apiKeyId: stored.id, createdBy: guild.ownerId });
      await setGuildChannels(db, guild.id, { reviewChannelId: reviewChannel(guild), modLogChannelId: guild.channels["mod-log"] ?? null });
    }
    // One experience linked in the guilds of two shards, each with its own key of one owner.
    roblox.addUniverse({ id: SHARED_UNIVERSE, displayName: "Shared Game", placeIds: ["8101"] });
    for (const [index, guild] of bannerGuilds(guilds).entries()) {
      const key = `shared-universe-key-${index}-${"u".repeat(40)}`;
      roblox.addApiKey({ key, ownerId: SHARED_OWNER, scopes: [{ name: "universe.user-restriction", operations: ["read", "write"], universeIds: [SHARED_UNIVERSE] }] });
      const db = database.handle.db;
      const stored = await storeApiKey(db, createApiKeyCipher(encryptionKey), {
        guildId: guild.id,
        label: keyLabel("universe", SHARED_UNIVERSE),
        apiKey: key,
        ownerId: SHARED_OWNER,
        createdBy: guild.ownerId,
      });
      await upsertLink(db, { guildId: guild.id, kind: "universe", robloxId: SHARED_UNIVERSE, displayName: "Shared Game", apiKeyId: stored.id, createdBy: guild.ownerId });
      // Twenty-five bans at once by one moderator: what the guard against rogue moderators would pause.
      await setGuard(db, guild.id, 0, 60);
    }
    scratch = mkdtempSync(path.join(tmpdir(), "warden-shards-"));
    const shared = {
      PATH: process.env.PATH ?? "",
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DATABASE_URL: database.url ?? "",
      ENCRYPTION_KEY: encryptionKey.toString("base64"),
      OPENCLOUD_URL: roblox.openCloudUrl,
      ROBLOX_USERS_URL: roblox.usersUrl,
      ROBLOX_THUMBNAILS_URL: roblox.thumbnailsUrl,
      SHARD_COUNT: String(SHARD_COUNT),
    };
    for (let shard = 0; shard < SHARD_COUNT; shard++) {
      const dataDir = mkdtempSync(path.join(scratch, `shard-${shard}-`));
      envs.push({ env: { ...shared, SHARD_IDS: String(shard), DATA_DIR: dataDir, HTTP_PORT: String(httpPort(shard)) }, cwd: dataDir });
    }
    for (const { env, cwd } of envs) bots.push(startBot(env, cwd));
    await Promise.all(bots.map((bot) => connected(bot)));
  }, 120_000);

  afterAll(async () => {
    for (const bot of bots) bot.child.kill("SIGTERM");
    await Promise.all(bots.map((bot) => bot.exited));
    await discord?.close();
    await roblox?.close();
    await database?.destroy();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("connects every process to its own shard with no Invalid Session, and registers the commands once", () => {
    expect(discord.gatewayCounts()).toEqual({ identifies: SHARD_COUNT, invalidSessions: 0 });
    expect(discord.gatewaySessions().map((session) => session.shard[0]).sort()).toEqual([0, 1, 2]);
    const registrations = discord.requests.filter((request) => request.method === "PUT" && /\/commands$/.test(request.path));
    expect(registrations).toHaveLength(1);
    expect(discord.registeredCommands().map((command) => command.name)).toEqual(commands.map((command) => command.definition.name));
    expect(bots.filter((bot) => bot.output.includes("commands registered"))).toHaveLength(1);
  });

  it("answers each guild's commands from the process that runs its shard", async () => {
    for (const guild of guilds) {
      const channelId = guild.channels.general;
      if (channelId === undefined) throw new Error("no #general");
      const handle = await discord.runCommand({ guildId: guild.id, channelId, userId: guild.ownerId, name: "staff", subcommand: "list", options: {} });
      expect(textOf(await handle.waitForReply())).toContain("**ban**: nobody");
    }
  });

  it("polls each guild's groups from its shard's process only, and cards each request once", async () => {
    for (const guild of guilds) await discord.waitForMessage(reviewChannel(guild));
    const polledGuild = (line: string) => /"msg":"join requests polled/.test(line) && line.match(/"guildId":"(\d+)"/)?.[1];
    await waitUntil(() => guilds.every((guild) => bots.some((bot) => bot.output.split("\n").some((line) => polledGuild(line) === guild.id))));
    for (const [shard, bot] of bots.entries()) {
      const polled = new Set(bot.output.split("\n").map(polledGuild).filter((id) => typeof id === "string"));
      const own = guilds.filter((guild) => shardOf(guild.id, SHARD_COUNT) === shard).map((guild) => guild.id);
      expect([...polled].sort()).toEqual(own.sort());
    }
    for (const guild of guilds) expect(discord.messages(reviewChannel(guild))).toHaveLength(1);
  });

  it("reports each process's own shard on /healthz, and the database's figures from shard 0's process only", async () => {
    for (let shard = 0; shard < SHARD_COUNT; shard++) {
      const health = await fetch(`http://127.0.0.1:${httpPort(shard)}/healthz`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { checks: Record<string, string> }).checks).toEqual({
        [`discord shard ${shard}`]: "ok",
        database: "ok",
        queue: "ok",
      });
      const metrics = await (await fetch(`http://127.0.0.1:${httpPort(shard)}/metrics`)).text();
      expect(metrics.includes("warden_cases_pending"), `shard ${shard}`).toBe(shard === 0);
      expect(metrics).toMatch(new RegExp(`warden_interactions_total\\{[^}]*shard="${shard}"`));
    }
  });

  it("applies 25 simultaneous bans in each of two guilds on different shards sharing one universe, with no 429 on the wire", async () => {
    roblox.clearCalls();
    const runs = bannerGuilds(guilds).flatMap((guild, index) =>
      Array.from({ length: BANS_PER_GUILD }, (_, n) => {
        const userId = String(81_000 + index * 100 + n);
        roblox.addUser({ id: userId, name: `raider${userId}` });
        return discord
          .runCommand({ guildId: guild.id, channelId: guild.channels.general ?? "", userId: guild.ownerId, name: "ban", options: { user: `id:${userId}`, duration: "1d", reason: "raid" } })
          .then((handle) => handle.waitForReply(undefined, 60_000))
          .then(textOf);
      }),
    );
    for (const reply of await Promise.all(runs)) expect(reply).toContain("Banned raider");
    const patches = roblox.calls.filter((call) => call.method === "PATCH");
    expect(patches).toHaveLength(BANS_PER_GUILD * 2);
    expect(roblox.calls.filter((call) => call.status === 429)).toEqual([]);
  }, 90_000);

  it("settles the ban of a process SIGKILLed mid-call from the live ones, once, and its return repeats nothing", async () => {
    const [, guild] = bannerGuilds(guilds);
    if (guild === undefined) throw new Error("no guild on shard 2");
    const victim = "82000";
    roblox.addUser({ id: victim, name: "caughtmidcall" });
    const modLog = guild.channels["mod-log"] ?? "";
    const posts = () => discord.messages(modLog).filter((message) => textOf(message).includes("caughtmidcall"));
    const caseOf = async () =>
      (await database.handle.db.select().from(cases).where(and(eq(cases.guildId, guild.id), eq(cases.robloxUserId, victim))))[0];

    // Roblox slows down: the case is on record while the PATCH waits for its answer.
    roblox.setFaults({ delayMs: 2_000 });
    void discord.runCommand({ guildId: guild.id, channelId: guild.channels.general ?? "", userId: guild.ownerId, name: "ban", options: { user: `id:${victim}`, duration: "1d", reason: "mid-call" } });
    await waitUntil(async () => (await caseOf())?.status === "pending");
    await waitUntil(() => roblox.received.some((call) => call.method === "PATCH" && call.path.endsWith(`/user-restrictions/${victim}`)));
    const killed = bots[2];
    killed?.child.kill("SIGKILL");
    await killed?.exited;
    roblox.setFaults({ delayMs: 0 });

    await waitUntil(async () => (await caseOf())?.status === "applied", TAKEOVER_BOUND_MS);
    expect(roblox.restriction(SHARED_UNIVERSE, victim)?.active).toBe(true);
    expect(roblox.logs(SHARED_UNIVERSE).filter((entry) => entry.user === `users/${victim}`)).toHaveLength(1);
    await waitUntil(() => posts().length === 1);

    const back = envs[2];
    if (back === undefined) throw new Error("no env for shard 2");
    bots[2] = startBot(back.env, back.cwd);
    await connected(bots[2]);
    // A beat and a takeover round later, the returning process has repeated nothing.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(roblox.logs(SHARED_UNIVERSE).filter((entry) => entry.user === `users/${victim}`)).toHaveLength(1);
    expect(posts()).toHaveLength(1);
    expect(await caseOf()).toMatchObject({ status: "applied" });
  }, 120_000);

  it("leaves alone a ban another process has in flight when it starts, and lets its owner settle it once", async () => {
    const [guild] = bannerGuilds(guilds);
    if (guild === undefined) throw new Error("no guild on shard 1");
    const victim = "83000";
    roblox.addUser({ id: victim, name: "heldincall" });
    const modLog = guild.channels["mod-log"] ?? "";
    const posts = () => discord.messages(modLog).filter((message) => textOf(message).includes("heldincall"));
    const caseOf = async () =>
      (await database.handle.db.select().from(cases).where(and(eq(cases.guildId, guild.id), eq(cases.robloxUserId, victim))))[0];
    const aboutVictim = (call: ReceivedCall) => call.host === "opencloud" && call.path.endsWith(`/${victim}`);

    // Shard 2's process starts again, and Discord lets it in only once shard 1's ban is in flight.
    const restarted = bots[2];
    restarted?.child.kill("SIGTERM");
    expect(await restarted?.exited).toBe(0);
    const letIn = discord.holdReady();
    onTestFinished(letIn);
    const identified = discord.gatewayCounts().identifies;
    const back = envs[2];
    if (back === undefined) throw new Error("no env for shard 2");
    bots[2] = startBot(back.env, back.cwd);
    await waitUntil(() => discord.gatewayCounts().identifies > identified);

    // Roblox receives shard 1's PATCH and answers it only once the other process has started.
    const release = roblox.holdCalls((call) => call.method === "PATCH" && aboutVictim(call));
    onTestFinished(release);
    const reply = discord
      .runCommand({ guildId: guild.id, channelId: guild.channels.general ?? "", userId: guild.ownerId, name: "ban", options: { user: `id:${victim}`, duration: "1d", reason: "in flight" } })
      .then((handle) => handle.waitForReply(undefined, 30_000))
      .then(textOf);
    await waitUntil(async () => (await caseOf())?.status === "pending");
    await waitUntil(() => roblox.received.some((call) => call.method === "PATCH" && aboutVictim(call)));
    const owner = (await caseOf())?.ownerProcess;
    const sentBeforeStart = roblox.received.length;

    // Connected, it logs, once its takeover at start is done. The owner, waiting on its PATCH, sends
    // nothing meanwhile: whatever Roblox receives about the player until then is the starting process's.
    letIn();
    const sentByStart = () => roblox.received.slice(sentBeforeStart).filter(aboutVictim);
    let up = false;
    const started = connected(bots[2]).then(() => (up = true));
    started.catch(() => {});
    await waitUntil(() => up || sentByStart().length > 0, 30_000);
    expect(sentByStart()).toEqual([]);
    await started;
    release();

    expect(await reply).toContain("Banned heldincall");
    expect(await caseOf()).toMatchObject({ status: "applied", ownerProcess: owner });
    expect(roblox.logs(SHARED_UNIVERSE).filter((entry) => entry.user === `users/${victim}`)).toHaveLength(1);
    await waitUntil(() => posts().length === 1);
    expect(roblox.received.filter((call) => call.method === "PATCH" && aboutVictim(call))).toHaveLength(1);
  }, 60_000);

  it("stops every process cleanly", async () => {
    for (const bot of bots) bot.child.kill("SIGTERM");
    expect(await Promise.all(bots.map((bot) => bot.exited))).toEqual([0, 0, 0]);
    for (const bot of bots) expect(bot.output).not.toContain(discord.token);
  });
});

/** A guild of shard 1 and one of shard 2: their bans are sent by two different processes. */
function bannerGuilds(guilds: readonly EmulatedGuild[]): EmulatedGuild[] {
  return [1, 2].map((shard) => {
    const guild = guilds.find((candidate) => shardOf(candidate.id, SHARD_COUNT) === shard);
    if (guild === undefined) throw new Error(`no guild on shard ${shard}`);
    return guild;
  });
}

function reviewChannel(guild: EmulatedGuild): string {
  const channelId = guild.channels["join-requests"];
  if (channelId === undefined) throw new Error("no #join-requests");
  return channelId;
}

function startBot(env: Record<string, string>, cwd: string): BotProcess {
  const child = spawn(process.execPath, [compiledEntryPoint("src/main.ts")], { cwd, env });
  const bot: BotProcess = { child, output: "", exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))) };
  child.stdout.on("data", (chunk: Buffer) => (bot.output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (bot.output += chunk.toString()));
  return bot;
}

function connected(bot: BotProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (bot.output.includes("connected to Discord")) resolve();
    };
    bot.child.stdout.on("data", check);
    bot.child.once("exit", (code) => reject(new Error(`exited with ${code} before connecting:\n${bot.output}`)));
    check();
  });
}
