// How long a player's join request waits for its card in the review channel, at Roblox's own pace
// (time scale 1: the local Open Cloud enforces the real per-minute budgets in real time). Three key
// owners, each in a guild of its own: one with 1 linked group, one with 20, one with 100. Requests
// arrive at random times over a minute: one per group, ten in the single group. The delay is from
// the request's createTime in Roblox to its card's timestamp in Discord, as each side recorded them.
//
// Two bots run side by side, each with its own local Discord, Open Cloud and database, and meet the
// same arrivals: the paced reads (each owner's groups read as often as half its list budget allows),
// and the baseline, the same loop held to one read per group a minute, as the 60 s pg-boss job read
// them. Targets: max <= 10 s (1 group), <= 20 s (20), <= 45 s (100); 429s on the wire 0.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startWarden, type Warden } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { createApiKeyCipher } from "../src/db/apiKeyCipher.js";
import { storeApiKey } from "../src/db/apiKeys.js";
import { openDatabase } from "../src/db/connection.js";
import { setGuildChannels } from "../src/db/guilds.js";
import { keyLabel, upsertLink } from "../src/db/links.js";
import { createLogger } from "../src/log.js";
import { startDiscordEmulator, type DiscordEmulator, type EmulatedGuild } from "../test/emulators/discord/index.js";
import { startOpenCloudEmulator, type OpenCloudEmulator } from "../test/emulators/opencloud/index.js";
import { createDatabase, dropDatabase, startPostgresServer } from "../test/support/postgresServer.js";

const OWNERS = [
  { owner: "1000", groups: 1, requests: 10, targetS: 10 },
  { owner: "2000", groups: 20, requests: 20, targetS: 20 },
  { owner: "3000", groups: 100, requests: 100, targetS: 45 },
];
const ARRIVALS_MS = 60_000;
/** After the last arrival, time for the baseline's slowest card: a minute and a margin. */
const DRAIN_MS = 90_000;
const BASELINE_INTERVAL_S = 60;

interface Arrival {
  owner: (typeof OWNERS)[number];
  groupId: string;
  userId: string;
  atMs: number;
}

interface Bot {
  discord: DiscordEmulator;
  roblox: OpenCloudEmulator;
  guilds: EmulatedGuild[];
  warden: Warden;
  stop(): Promise<void>;
}

export async function run(): Promise<void> {
  console.log(
    `\n## Join request to card at Roblox's pace (time scale 1): ${OWNERS.map((owner) => owner.groups).join(", ")} groups of one owner each, requests over ${ARRIVALS_MS / 1_000} s`,
  );
  const postgres = await startPostgresServer();
  const bots: Bot[] = [];
  try {
    const arrivals = planArrivals();
    bots.push(await startBot(postgres.url, "paced", undefined), await startBot(postgres.url, "baseline", BASELINE_INTERVAL_S));
    // Measured once every group has been read: a bot that just started reads its new links first.
    await Promise.all(bots.map((bot) => everyGroupRead(bot)));
    const started = Date.now();
    await Promise.all(
      arrivals.map(async (arrival) => {
        await sleep(arrival.atMs);
        for (const bot of bots) requestToJoin(bot, arrival);
      }),
    );
    const deadline = started + ARRIVALS_MS + DRAIN_MS;
    while (Date.now() < deadline && !bots.every((bot) => arrivals.every((arrival) => cardOf(bot, arrival) !== undefined))) await sleep(100);
    console.log(`run: ${((Date.now() - started) / 1_000).toFixed(0)} s after the first arrival`);
    console.log(`groups | paced: median / max (target) | baseline, each group read every ${BASELINE_INTERVAL_S} s: median / max`);
    for (const owner of OWNERS) {
      const [paced, baseline] = bots.map((bot) => delays(bot, arrivals.filter((arrival) => arrival.owner === owner)));
      if (paced === undefined || baseline === undefined) throw new Error("a bot is missing");
      const met = paced.lost === 0 && paced.max <= owner.targetS ? "met" : "MISSED";
      console.log(
        `${String(owner.groups).padStart(6)} | ${seconds(paced.median)} / ${seconds(paced.max)} (<= ${owner.targetS} s: ${met})${lost(paced.lost)} | ` +
          `${seconds(baseline.median)} / ${seconds(baseline.max)}${lost(baseline.lost)}`,
      );
    }
    const [paced, baseline] = bots.map((bot) => bot.roblox.calls.filter((call) => call.status === 429).length);
    console.log(`429s on the wire: paced ${paced} (target 0: ${paced === 0 ? "met" : "MISSED"}), baseline ${baseline}`);
  } finally {
    for (const bot of bots) await bot.stop();
    postgres.stop();
  }
}

/** The same arrivals for both bots: random times over the window, one per group (several in a lone group). */
function planArrivals(): Arrival[] {
  return OWNERS.flatMap((owner) =>
    Array.from({ length: owner.requests }, (_, index) => ({
      owner,
      groupId: groupIdOf(owner, index % owner.groups),
      userId: String(Number(owner.owner) * 100 + index),
      atMs: Math.random() * ARRIVALS_MS,
    })),
  );
}

const groupIdOf = (owner: (typeof OWNERS)[number], index: number) => String(Number(owner.owner) + 1 + index);
const keyOf = (groupId: string) => `bench-delay-key-${groupId}-${"k".repeat(40)}`;

async function startBot(postgresUrl: string, name: string, minIntervalSeconds: number | undefined): Promise<Bot> {
  const discord = await startDiscordEmulator({
    guilds: OWNERS.map((owner) => ({ name: `Owner ${owner.owner}'s guild`, channels: [{ name: "general" }, { name: "join-requests" }], members: [{ username: "owner" }] })),
  });
  const roblox = await startOpenCloudEmulator({ timeScale: 1 });
  const databaseName = `warden_bench_delay_${name}_${process.pid}`;
  const databaseUrl = await createDatabase(postgresUrl, databaseName);
  const dataDir = mkdtempSync(path.join(tmpdir(), `warden-bench-delay-${name}-`));
  const encryptionKey = randomBytes(32);
  const seeding = await openDatabase({ databaseUrl, dataDir });
  await seeding.migrate();
  for (const [index, owner] of OWNERS.entries()) {
    const guild = discord.guilds[index];
    if (guild === undefined) throw new Error("the local Discord lacks a guild");
    roblox.addUser({ id: owner.owner, name: `Owner${owner.owner}` });
    await setGuildChannels(seeding.db, guild.id, { reviewChannelId: guild.channels["join-requests"] ?? null, modLogChannelId: null });
    for (let group = 0; group < owner.groups; group += 1) {
      const groupId = groupIdOf(owner, group);
      roblox.addGroup({ id: groupId, displayName: `Group ${groupId}`, ownerId: owner.owner });
      roblox.addApiKey({ key: keyOf(groupId), ownerId: owner.owner, scopes: [{ name: "group", operations: ["read", "write"], groupIds: [groupId] }] });
      const stored = await storeApiKey(seeding.db, createApiKeyCipher(encryptionKey), {
        guildId: guild.id,
        label: keyLabel("group", groupId),
        apiKey: keyOf(groupId),
        ownerId: owner.owner,
        createdBy: guild.ownerId,
      });
      await upsertLink(seeding.db, { guildId: guild.id, kind: "group", robloxId: groupId, displayName: `Group ${groupId}`, apiKeyId: stored.id, createdBy: guild.ownerId });
    }
  }
  await seeding.close();
  const config = loadConfig(
    {
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      ENCRYPTION_KEY: encryptionKey.toString("base64"),
      OPENCLOUD_URL: roblox.openCloudUrl,
      ROBLOX_USERS_URL: roblox.usersUrl,
      ROBLOX_THUMBNAILS_URL: roblox.thumbnailsUrl,
    },
    { requireDiscordToken: true },
  );
  const warden = await startWarden(config, createLogger("warn"), {
    jobs: { joinRequestMinIntervalSeconds: minIntervalSeconds, keyCheckSeconds: "off", banExpirySeconds: "off", banSyncSeconds: "off" },
  });
  return {
    discord,
    roblox,
    guilds: discord.guilds,
    warden,
    async stop() {
      await warden.stop();
      await Promise.all([discord.close(), roblox.close()]);
      await dropDatabase(postgresUrl, databaseName);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function everyGroupRead(bot: Bot): Promise<void> {
  const groups = OWNERS.flatMap((owner) => Array.from({ length: owner.groups }, (_, index) => groupIdOf(owner, index)));
  const read = () => new Set(bot.roblox.calls.map((call) => /^\/cloud\/v2\/groups\/(\d+)\/join-requests$/.exec(call.path)?.[1]));
  for (let seen = read(); !groups.every((groupId) => seen.has(groupId)); seen = read()) await sleep(200);
}

function requestToJoin(bot: Bot, arrival: Arrival): void {
  bot.roblox.addUser({ id: arrival.userId, name: `joiner${arrival.userId}`, createTime: new Date(Date.now() - 90 * 86_400_000).toISOString() });
  bot.roblox.addJoinRequest({ groupId: arrival.groupId, userId: arrival.userId });
}

function cardOf(bot: Bot, arrival: Arrival) {
  const guild = bot.guilds[OWNERS.indexOf(arrival.owner)];
  return bot.discord.messages(guild?.channels["join-requests"] ?? "").find((message) => message.embeds[0]?.url?.includes(`/users/${arrival.userId}/profile`));
}

function delays(bot: Bot, arrivals: readonly Arrival[]): { median: number; max: number; lost: number } {
  const measured: number[] = [];
  for (const arrival of arrivals) {
    const card = cardOf(bot, arrival);
    const request = bot.roblox.joinRequests(arrival.groupId).find((candidate) => candidate.userId === arrival.userId);
    if (card !== undefined && request !== undefined) measured.push((Date.parse(card.timestamp) - Date.parse(request.createTime)) / 1_000);
  }
  measured.sort((a, b) => a - b);
  return { median: measured[Math.floor(measured.length / 2)] ?? NaN, max: measured.at(-1) ?? NaN, lost: arrivals.length - measured.length };
}

const seconds = (value: number) => `${value.toFixed(1)} s`;
const lost = (count: number) => (count > 0 ? `, ${count} not carded` : "");
