// What a member waits for before Discord shows "Warden is thinking…", and what
// Warden costs to keep connected, each against a bare discord.js client as the floor.
//
// 1. Acknowledgement latency: the local Discord dispatches `/staff list` as the
//    guild owner (the router defers it before any I/O) and times until the
//    bot's type-5 callback arrives. Warden runs in this process as in
//    test/e2e/stack.ts, on a throwaway PostgreSQL; the bare client (bench/bareClient.ts)
//    only defers. Targets: Warden/bare p50 <= 1.1, Warden p99 < 25 ms.
// 2. Idle memory: VmRSS of the compiled bot as `npm start` runs it
//    (`node dist/src/main.js`) and of bench/bareClient.ts compiled alike, each
//    its own process, each ~3 s after it saw all 1,000 guilds. Target:
//    Warden/bare <= 1.15. Warden runs on the embedded
//    PGlite (the default; first start and restart differ a lot) and on
//    PostgreSQL, to tell the database's share from the bot's.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { InteractionResponseType, PermissionFlagsBits, REST, type Client } from "discord.js";
import { commands } from "../commands/index.js";
import { startWarden, type Warden } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { deployCommands } from "../src/discord/deployCommands.js";
import { createLogger } from "../src/log.js";
import { startDiscordEmulator, type DiscordEmulator, type GuildSeed } from "../test/emulators/discord/index.js";
import { startOpenCloudEmulator, type OpenCloudEmulator } from "../test/emulators/opencloud/index.js";
import { buildBot, compiledEntryPoint } from "../test/support/compiledBot.js";
import { createDatabase, dropDatabase, startPostgresServer } from "../test/support/postgresServer.js";
import { startBareClient } from "./bareClient.js";
import { ms } from "./stats.js";

const INTERACTIONS = 2_000;
// Unmeasured: the first few hundred interactions run cold (JIT, sockets, pools).
const WARM_UP = 200;
// Warden and the floor take turns in blocks, so drift over the run (GC, CPU
// frequency, the emulator's growing records) lands on both alike.
const BLOCK = 100;
// Between interactions, so the previous one's tail (the reply's HTTP response,
// discord.js settling it) is over before the next dispatch. At 1 ms that tail
// spilled into Warden's next sample on a loaded machine (p50 ratio 1.17-1.22 at load
// average ~2.4, 1.03 with 5 ms). Each sample starts from an idle event loop, as a
// real interaction does, which costs both bots the same wake-up.
const GAP_MS = 5;
const IDLE_GUILDS = 1_000;
const IDLE_MS = 3_000;
const READY_TIMEOUT_MS = 120_000;

const repo = fileURLToPath(new URL("..", import.meta.url));
/** Bot processes running now: stopped on Ctrl-C too. */
const children = new Set<ChildProcessWithoutNullStreams>();

// The shape of test/e2e/stack.ts's DEFAULT_GUILD (not imported: stack.ts pulls in vitest).
const GUILD: GuildSeed = {
  name: "Roblox Cafe",
  roles: [
    { name: "Moderator", permissions: PermissionFlagsBits.BanMembers },
    { name: "Helper", permissions: PermissionFlagsBits.BanMembers },
  ],
  channels: [{ name: "general" }, { name: "mod-log" }, { name: "join-requests" }],
  members: [{ username: "owner" }, { username: "alice", roles: ["Moderator"] }, { username: "bob", roles: ["Helper"] }, { username: "carol" }],
  owner: "owner",
};

interface Postgres {
  url: string;
  /** A fresh database on the server; dropped by `stop`. */
  createDatabase(): Promise<string>;
  /** Drops the databases and stops the server; once, however often it is called. */
  stop(): Promise<void>;
}

export async function run(): Promise<void> {
  const postgres = await startPostgres();
  // Every data directory and working directory of the run lives under this one.
  const scratch = mkdtempSync(path.join(tmpdir(), "warden-bench-ack-"));
  // pg_ctl detaches the server from this process, and children outlive a parent
  // that exits: on Ctrl-C, stop them all before leaving.
  const interrupted = () =>
    void postgres.stop().finally(() => {
      for (const child of children) child.kill("SIGKILL");
      rmSync(scratch, { recursive: true, force: true });
      process.exit(130);
    });
  process.once("SIGINT", interrupted);
  try {
    // Sub-millisecond medians move with whatever else the machine runs: the load shows it.
    const load = loadavg().map((value) => value.toFixed(2)).join(" ");
    console.log(`\n## Interaction acknowledgement: /staff list, ${INTERACTIONS} sequential interactions per client (load average ${load})`);
    await acknowledgementLatency(postgres, scratch);
    console.log(`\n## Idle memory: ${IDLE_GUILDS} guilds, VmRSS ${IDLE_MS / 1000} s after ready, one process per client`);
    await idleMemory(postgres, scratch);
  } finally {
    process.off("SIGINT", interrupted);
    await postgres.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

// ---- 1. Acknowledgement latency -------------------------------------------------

/** One bot on its own local Discord, with the guild and channel it is asked in. */
interface Subject {
  label: string;
  discord: DiscordEmulator;
  guildId: string;
  channelId: string;
  ownerId: string;
  /** Warden edits its deferred reply after the database read; the floor has nothing after the defer. */
  waitForRest: boolean;
  samples: number[];
  /** Time the emulator spends building the interaction payload, before it is sent. */
  buildSamples: number[];
  stop(): Promise<void>;
}

async function acknowledgementLatency(postgres: Postgres, scratch: string): Promise<void> {
  const warden = await startWardenSubject(postgres, scratch);
  const bare = await startBareSubject().catch(async (error: unknown) => {
    await warden.stop();
    throw error;
  });
  try {
    for (const subject of [warden, bare]) {
      await interact(subject, WARM_UP);
      subject.samples.length = 0;
      subject.buildSamples.length = 0;
    }
    for (let done = 0; done < INTERACTIONS; done += BLOCK) {
      for (const subject of [warden, bare]) await interact(subject, Math.min(BLOCK, INTERACTIONS - done));
    }
  } finally {
    await warden.stop();
    await bare.stop();
  }

  const w = percentiles(warden.samples);
  const b = percentiles(bare.samples);
  const build = percentiles([...warden.buildSamples, ...bare.buildSamples]);
  const ratio = w.p50 / b.p50;
  console.log(`${warden.label}  p50 ${ms(w.p50)}  p99 ${ms(w.p99)}  max ${ms(w.max)}  ${verdict(w.p99 < 25, "p99 < 25 ms")}`);
  console.log(`${bare.label}  p50 ${ms(b.p50)}  p99 ${ms(b.p99)}  max ${ms(b.max)}`);
  console.log(`Warden / bare: p50 ${ratio.toFixed(2)}x ${verdict(ratio <= 1.1, "<= 1.1")}, p99 ${(w.p99 / b.p99).toFixed(2)}x`);
  console.log(
    `(dispatch -> callback: from the interaction's gateway frame handed to the socket to the emulator's callback ` +
      `route accepting type ${InteractionResponseType.DeferredChannelMessageWithSource}: the WebSocket hop, discord.js ` +
      `building the interaction, the bot's handler, its HTTP POST over loopback and the emulator parsing it. Both bots ` +
      `share this process and event loop with their emulator. Not included: the emulator building the payload, ` +
      `p50 ${ms(build.p50)} p99 ${ms(build.p99)}.)`,
  );
}

/**
 * Runs `/staff list` `count` times, one in flight: the next is dispatched only
 * once the previous one is fully answered and the event loop has had a turn,
 * so no sample waits behind the previous interaction's work.
 */
async function interact(subject: Subject, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    // runCommand builds the payload and sends the gateway frame synchronously, so
    // `dispatched` follows the send with nothing of the bot's in between.
    const handle = await subject.discord.runCommand({
      guildId: subject.guildId,
      channelId: subject.channelId,
      userId: subject.ownerId,
      name: "staff",
      subcommand: "list",
    });
    const dispatched = performance.now();
    const callback = await handle.waitForCallback();
    const acknowledged = performance.now();
    if (callback.type !== InteractionResponseType.DeferredChannelMessageWithSource) {
      throw new Error(`${subject.label} answered with callback type ${callback.type}, not a deferral`);
    }
    subject.samples.push(acknowledged - dispatched);
    subject.buildSamples.push(dispatched - started);
    if (subject.waitForRest) await handle.waitForReply();
    await sleep(GAP_MS);
  }
}

async function startWardenSubject(postgres: Postgres, scratch: string): Promise<Subject> {
  const discord = await startDiscordEmulator({ guilds: [GUILD] });
  let roblox: OpenCloudEmulator | undefined;
  let warden: Warden | undefined;
  const stop = async () => {
    await warden?.stop();
    await Promise.all([discord.close(), roblox?.close()]);
  };
  try {
    // As test/e2e/stack.ts, with /staff list reaching neither Roblox nor the internet.
    roblox = await startOpenCloudEmulator({ timeScale: 60 });
    const guild = discord.guilds[0] as (typeof discord.guilds)[number];
    const config = loadConfig(
      {
        DISCORD_TOKEN: discord.token,
        DATABASE_URL: await postgres.createDatabase(),
        DATA_DIR: mkdtempSync(path.join(scratch, "data-")),
        ENCRYPTION_KEY: randomBytes(32).toString("base64"),
        DEV_GUILD_ID: guild.id,
        DISCORD_API_URL: discord.apiUrl,
        OPENCLOUD_URL: roblox.openCloudUrl,
        ROBLOX_USERS_URL: roblox.usersUrl,
        ROBLOX_THUMBNAILS_URL: roblox.thumbnailsUrl,
        // Production's default level; the stack's `trace` would time the logger.
        LOG_LEVEL: "info",
      },
      { requireDiscordToken: true },
    );
    warden = await startWarden(config, createLogger(config.logLevel, discard()));
    return subject("Warden (PostgreSQL)", discord, true, stop);
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startBareSubject(): Promise<Subject> {
  const discord = await startDiscordEmulator({ guilds: [GUILD] });
  let client: Client | undefined;
  const stop = async () => {
    await client?.destroy();
    await discord.close();
  };
  try {
    // Registered as Warden registers them, so both bots get the very same interaction payload.
    const guild = discord.guilds[0] as (typeof discord.guilds)[number];
    await deployCommands(new REST({ api: discord.apiUrl }).setToken(discord.token), discord.applicationId, commands, guild.id);
    client = await startBareClient(discord.apiUrl, discord.token, 1);
    return subject("bare discord.js     ", discord, false, stop);
  } catch (error) {
    await stop();
    throw error;
  }
}

function subject(label: string, discord: DiscordEmulator, waitForRest: boolean, stop: () => Promise<void>): Subject {
  const guild = discord.guilds[0];
  const channelId = guild?.channels.general;
  if (guild === undefined || channelId === undefined) throw new Error("the local Discord has no guild with #general");
  return { label, discord, guildId: guild.id, channelId, ownerId: guild.ownerId, waitForRest, samples: [], buildSamples: [], stop };
}

// ---- 2. Idle memory -------------------------------------------------------------

interface Child {
  label: string;
  /** The compiled JavaScript file the process runs. */
  script: string;
  env: Record<string, string>;
  /** True once the line on stdout says the client has every guild. */
  isReady(line: string): boolean;
}

/**
 * bench/bareClient.ts as plain JavaScript next to the build, so that the floor
 * runs without a TypeScript loader, as the compiled bot does.
 */
function compileBareClient(): string {
  const source = readFileSync(path.join(repo, "bench/bareClient.ts"), "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023, verbatimModuleSyntax: true },
  });
  const file = path.join(repo, "dist/bench/bareClient.js");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, outputText);
  return file;
}

async function idleMemory(postgres: Postgres, scratch: string): Promise<void> {
  buildBot();
  const discord = await startDiscordEmulator({ guilds: Array.from({ length: IDLE_GUILDS }, () => GUILD) });
  const dataDir = mkdtempSync(path.join(scratch, "data-"));
  try {
    const base = { DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl };
    const warden = (label: string, databaseUrl: string): Child => ({
      label,
      script: compiledEntryPoint("src/main.ts"),
      // DATABASE_URL blank means unset: the embedded PGlite in DATA_DIR, as `npm start` without one.
      env: { ...base, DATA_DIR: dataDir, DATABASE_URL: databaseUrl, LOG_LEVEL: "info" },
      isReady: (line) => readyGuilds(line) !== undefined,
    });
    const bare: Child = {
      label: "bare discord.js             ",
      script: compileBareClient(),
      env: { ...base, BENCH_GUILDS: String(IDLE_GUILDS) },
      isReady: (line) => line === `ready ${IDLE_GUILDS}`,
    };
    const idleRss = (child: Child) => idleRssOf(child, scratch);
    const bareRss = await idleRss(bare);
    const rows = [
      // A fresh DATA_DIR: PGlite runs initdb first, and its WASM heap keeps much of what that took.
      { label: "Warden (PGlite, first start)", rss: await idleRss(warden("Warden (PGlite, first start)", "")) },
      // The same DATA_DIR again: what a running bot holds from its second start on.
      { label: "Warden (PGlite, restart)", rss: await idleRss(warden("Warden (PGlite, restart)    ", "")) },
      { label: "Warden (PostgreSQL)", rss: await idleRss(warden("Warden (PostgreSQL)         ", await postgres.createDatabase())) },
    ];
    for (const row of rows) {
      const ratio = row.rss / bareRss;
      console.log(`${row.label} / bare: ${ratio.toFixed(2)}x ${verdict(ratio <= 1.15, "<= 1.15")}`);
    }
    console.log("(VmRSS of each node process, both plain JavaScript: no TypeScript loader in either.)");
  } finally {
    await discord.close();
  }
}

/** Starts the child, waits until it has every guild, lets it idle, reads its VmRSS (MiB), stops it. */
async function idleRssOf(child: Child, scratch: string): Promise<number> {
  // Its own cwd and a bare environment, as test/e2e/process.test.ts: no .env or shell variables leak in.
  const cwd = mkdtempSync(path.join(scratch, "cwd-"));
  const process_ = spawn(process.execPath, [child.script], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...child.env },
  });
  children.add(process_);
  const exited = new Promise<void>((resolve) => process_.once("exit", () => resolve()));
  try {
    const started = performance.now();
    await waitUntilReady(process_, child);
    const readyMs = performance.now() - started;
    await sleep(IDLE_MS);
    const status = readFileSync(`/proc/${process_.pid}/status`, "utf8");
    const rss = kib(status, "VmRSS") / 1024;
    const peak = kib(status, "VmHWM") / 1024;
    console.log(`${child.label}  VmRSS ${rss.toFixed(1)} MiB  (peak ${peak.toFixed(1)} MiB; ready after ${(readyMs / 1000).toFixed(1)} s)`);
    return rss;
  } finally {
    if (process_.exitCode === null && process_.signalCode === null) {
      process_.kill("SIGTERM");
      const killer = setTimeout(() => process_.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    }
    children.delete(process_);
    rmSync(cwd, { recursive: true, force: true });
  }
}

function waitUntilReady(process_: ChildProcessWithoutNullStreams, child: Child): Promise<void> {
  let output = "";
  let pending = "";
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${child.label.trim()} was not ready after ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    const onExit = (code: number | null) => fail(new Error(`${child.label.trim()} exited with ${code} before it was ready`));
    const onStdout = (chunk: Buffer) => {
      output += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      try {
        if (lines.some((line) => child.isReady(line.trim()))) done();
      } catch (error) {
        fail(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const onStderr = (chunk: Buffer) => (output += chunk.toString());
    const cleanUp = () => {
      clearTimeout(timer);
      process_.off("exit", onExit);
      process_.stdout.off("data", onStdout);
      process_.stderr.off("data", onStderr);
    };
    const done = () => {
      cleanUp();
      resolve();
    };
    const fail = (error: Error) => {
      cleanUp();
      reject(new Error(`${error.message}:\n${output}`));
    };
    process_.once("exit", onExit);
    process_.stdout.on("data", onStdout);
    process_.stderr.on("data", onStderr);
  });
}

/** The guild count of Warden's "connected to Discord; commands registered" log line, when it has every guild. */
function readyGuilds(line: string): number | undefined {
  if (!line.includes("connected to Discord; commands registered")) return undefined;
  const { guilds } = JSON.parse(line) as { guilds?: number };
  if (guilds !== IDLE_GUILDS) throw new Error(`Warden was ready with ${guilds} guilds, not ${IDLE_GUILDS}`);
  return guilds;
}

function kib(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  if (match?.[1] === undefined) throw new Error(`/proc/<pid>/status has no ${field} (Linux only)`);
  return Number(match[1]);
}

// ---- Shared ---------------------------------------------------------------------

/** BENCH_DATABASE_URL's server, or a throwaway one; each database made here is dropped at the end. */
async function startPostgres(): Promise<Postgres> {
  const given = process.env.BENCH_DATABASE_URL;
  const server = given ? undefined : await startPostgresServer();
  const url = given ?? server?.url ?? "";
  const created: string[] = [];
  let stopped: Promise<void> | undefined;
  return {
    url,
    async createDatabase() {
      const name = `warden_bench_ack_${process.pid}_${created.length}`;
      const databaseUrl = await createDatabase(url, name);
      created.push(name);
      return databaseUrl;
    },
    stop: () =>
      (stopped ??= (async () => {
        try {
          for (const name of created) await dropDatabase(url, name);
        } finally {
          server?.stop();
        }
      })()),
  };
}

function percentiles(samples: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (quantile: number) => sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

const verdict = (met: boolean, target: string) => `(target ${target}: ${met ? "met" : "MISSED"})`;

/** Warden's log, thrown away: the benchmark reads the emulator, not the log. */
function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
