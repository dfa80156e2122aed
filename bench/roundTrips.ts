// What a moderator waits for on the commands people wait on, and how much of
// it is Roblox round trips one after another: /ban by username, /unban,
// /lookup and a join-request card (posted by /joinrequests review), each
// timed from dispatch to its final reply with the local Open Cloud answering
// at once and then every call 80 ms late (a host in Europe or Asia talking to
// Roblox). (time at 80 - time at 0) / 80 is the number of round trips in
// sequence. Target for /ban by username: <= 3.3 (resolve, PATCH, the re-read
// that catches the scope trap). The emulator's own arrival and answer times
// give the same count without the clock: the longest chain of calls each of
// which started after the one before was answered.
//
// Warden runs in this process as in test/e2e/stack.ts, on a throwaway
// PostgreSQL, against the local Discord and Open Cloud. Every sample acts on
// a player Warden has not seen yet, so no cache from an earlier sample helps;
// only what one command's own calls share.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Writable } from "node:stream";
import { PermissionFlagsBits, type APIMessage } from "discord.js";
import { startWarden, type Warden } from "../src/app.js";
import { setGuard } from "../src/db/moderatorPauses.js";
import { loadConfig } from "../src/config.js";
import { setGuildChannels } from "../src/db/guilds.js";
import { createLogger } from "../src/log.js";
import { linkWithApiKey } from "../src/services/setup.js";
import { startDiscordEmulator, type DiscordEmulator, type GuildSeed } from "../test/emulators/discord/index.js";
import { startOpenCloudEmulator, type OpenCloudEmulator, type RecordedCall } from "../test/emulators/opencloud/index.js";
import { longestChain } from "../test/support/callChains.js";
import { createDatabase, startPostgresServer } from "../test/support/postgresServer.js";

const LATENCY_MS = 80;
const SAMPLES = 15;
// Rate windows 60 times shorter, so thirty bans of thirty players stay far inside every budget.
const TIME_SCALE = 60;
const UNIVERSE = "6001";
const GROUP = "6002";
const OWNER = "6000";
const KEY = `bench-roundtrips-key-${randomBytes(8).toString("hex")}`;
const TARGETS: Record<string, { text: string; max: number }> = { "/ban by username": { text: "<= 3.3", max: 3.3 } };

// The shape of test/e2e/stack.ts's DEFAULT_GUILD (not imported: stack.ts pulls in vitest).
const GUILD: GuildSeed = {
  name: "Roblox Cafe",
  roles: [{ name: "Moderator", permissions: PermissionFlagsBits.BanMembers }],
  channels: [{ name: "general" }, { name: "mod-log" }, { name: "join-requests" }],
  members: [{ username: "owner" }],
  owner: "owner",
};

interface Bench {
  discord: DiscordEmulator;
  roblox: OpenCloudEmulator;
  guildId: string;
  ownerId: string;
  general: string;
  review: string;
  /** The next player id no sample has used. */
  nextPlayer: number;
}

interface Sample {
  ms: number;
  calls: number;
  chain: number;
}

type Step = (bench: Bench) => Promise<Sample>;

export async function run(): Promise<void> {
  console.log(`\n## Roblox round trips in sequence: ${SAMPLES} samples per command, medians, local Open Cloud answering after 0 and ${LATENCY_MS} ms`);
  const postgres = await startPostgresServer();
  const scratch = mkdtempSync(path.join(tmpdir(), "warden-bench-roundtrips-"));
  const discord = await startDiscordEmulator({ guilds: [GUILD] });
  const roblox = await startOpenCloudEmulator({ timeScale: TIME_SCALE });
  let warden: Warden | undefined;
  try {
    const guild = discord.guilds[0] as (typeof discord.guilds)[number];
    const config = loadConfig(
      {
        DISCORD_TOKEN: discord.token,
        DATABASE_URL: await createDatabase(postgres.url, `warden_bench_roundtrips_${process.pid}`),
        DATA_DIR: mkdtempSync(path.join(scratch, "data-")),
        ENCRYPTION_KEY: randomBytes(32).toString("base64"),
        DEV_GUILD_ID: guild.id,
        DISCORD_API_URL: discord.apiUrl,
        OPENCLOUD_URL: roblox.openCloudUrl,
        ROBLOX_USERS_URL: roblox.usersUrl,
        ROBLOX_THUMBNAILS_URL: roblox.thumbnailsUrl,
        LOG_LEVEL: "warn",
      },
      { requireDiscordToken: true },
    );
    warden = await startWarden(config, createLogger(config.logLevel, discard()), {
      openCloudTimeScale: TIME_SCALE,
      jobs: { joinRequestMinIntervalSeconds: "off", keyCheckSeconds: "off", banExpirySeconds: "off", banSyncSeconds: "off" },
    });
    const bench: Bench = {
      discord,
      roblox,
      guildId: guild.id,
      ownerId: guild.ownerId,
      general: guild.channels.general ?? "",
      review: guild.channels["join-requests"] ?? "",
      nextPlayer: 700_000,
    };
    // Thirty bans a minute by one member is what the guard against rogue moderators pauses; here it is the workload.
    await setGuard(warden.context.db, guild.id, 0, 60);
    await seed(bench, warden);

    const steps: Record<string, Step> = {
      "/ban by username": banByUsername,
      "/unban": unban,
      "/lookup": lookup,
      "join card": joinCard,
    };
    // Unmeasured: the first commands run cold (JIT, sockets, prepared statements).
    for (const step of Object.values(steps)) await step(bench);
    for (const [name, step] of Object.entries(steps)) {
      const { atZero, atLatency } = await samples(bench, step);
      const roundTrips = (atLatency.ms - atZero.ms) / LATENCY_MS;
      const target = TARGETS[name];
      const verdict = target === undefined ? "" : `  (target ${target.text}: ${roundTrips <= target.max ? "met" : "MISSED"})`;
      console.log(
        `${name.padEnd(17)} ${atZero.ms.toFixed(0).padStart(4)} ms at 0, ${atLatency.ms.toFixed(0).padStart(4)} ms at ${LATENCY_MS}: ` +
          `${roundTrips.toFixed(2)} round trips in sequence${verdict}; on the wire ${atLatency.calls} calls, longest chain ${atLatency.chain}`,
      );
    }
  } finally {
    await warden?.stop();
    await Promise.all([discord.close(), roblox.close()]);
    postgres.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function seed(bench: Bench, warden: Warden): Promise<void> {
  const { roblox } = bench;
  roblox.addUser({ id: OWNER, name: "BenchOwner" });
  roblox.addUniverse({ id: UNIVERSE, displayName: "Bench World", placeIds: ["6003"] });
  roblox.addGroup({ id: GROUP, displayName: "Bench Group", ownerId: OWNER });
  roblox.addApiKey({
    key: KEY,
    ownerId: OWNER,
    scopes: [
      { name: "universe.user-restriction", operations: ["read", "write"], universeIds: [UNIVERSE] },
      { name: "group", operations: ["read", "write"], groupIds: [GROUP] },
    ],
  });
  const deps = warden.context;
  for (const [kind, robloxId] of [["universe", UNIVERSE], ["group", GROUP]] as const) {
    await linkWithApiKey(deps, { guildId: bench.guildId, actorId: bench.ownerId, kind, robloxId, name: undefined, apiKey: KEY });
  }
  await setGuildChannels(deps.db, bench.guildId, { modLogChannelId: bench.discord.guilds[0]?.channels["mod-log"] ?? null, reviewChannelId: bench.review });
}

/**
 * Medians of SAMPLES runs of `step` at each latency, each on its own new player. The two
 * latencies take turns, so drift over the run (other work on the machine) lands on both alike.
 */
async function samples(bench: Bench, step: Step): Promise<{ atZero: Sample; atLatency: Sample }> {
  const taken: { atZero: Sample[]; atLatency: Sample[] } = { atZero: [], atLatency: [] };
  for (let index = 0; index < SAMPLES; index += 1) {
    for (const [delayMs, into] of [[0, taken.atZero], [LATENCY_MS, taken.atLatency]] as const) {
      bench.roblox.setFaults({ delayMs });
      into.push(await step(bench));
    }
  }
  bench.roblox.setFaults({ delayMs: 0 });
  return { atZero: medians(taken.atZero), atLatency: medians(taken.atLatency) };
}

function medians(taken: readonly Sample[]): Sample {
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  return { ms: median(taken.map((sample) => sample.ms)), calls: median(taken.map((sample) => sample.calls)), chain: median(taken.map((sample) => sample.chain)) };
}

function newPlayer(bench: Bench): string {
  const id = String((bench.nextPlayer += 1));
  bench.roblox.addUser({ id, name: `player${id}` });
  return id;
}

/** Runs `work`, timing it and reading what reached the local Open Cloud meanwhile. */
async function timed(bench: Bench, work: () => Promise<unknown>): Promise<Sample> {
  bench.roblox.clearCalls();
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  const calls: RecordedCall[] = [...bench.roblox.calls];
  return { ms, calls: calls.length, chain: longestChain(calls) };
}

async function command(bench: Bench, name: string, options: Record<string, string>): Promise<APIMessage> {
  const handle = await bench.discord.runCommand({ guildId: bench.guildId, channelId: bench.general, userId: bench.ownerId, name, options });
  return handle.waitForReply();
}

const banByUsername: Step = (bench) => {
  const player = newPlayer(bench);
  return timed(bench, () => command(bench, "ban", { user: `player${player}`, duration: "7d", reason: "bench" }));
};

/** The unban of a player banned just before, unmeasured, as a moderator lifting a mistaken ban does. */
const unban: Step = async (bench) => {
  const player = newPlayer(bench);
  await command(bench, "ban", { user: `id:${player}`, duration: "7d", reason: "bench" });
  return timed(bench, () => command(bench, "unban", { user: `player${player}` }));
};

const lookup: Step = (bench) => {
  const player = newPlayer(bench);
  return timed(bench, () => command(bench, "lookup", { user: `player${player}` }));
};

/** One new join request, read and carded by /joinrequests review; timed until its card is in the review channel. */
const joinCard: Step = (bench) => {
  const player = newPlayer(bench);
  bench.roblox.addJoinRequest({ groupId: GROUP, userId: player });
  return timed(bench, async () => {
    const handle = await bench.discord.runCommand({
      guildId: bench.guildId,
      channelId: bench.general,
      userId: bench.ownerId,
      name: "joinrequests",
      subcommand: "review",
      options: {},
    });
    await handle.waitForReply();
    await bench.discord.waitForMessage(bench.review, (message) => JSON.stringify(message).includes(player));
  });
};

function discard(): Writable {
  return new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
}
