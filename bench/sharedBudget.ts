// Roblox's budgets shared between processes through PostgreSQL (src/db/sharedRateLedger.ts).
//
// 1. Three processes ban at once in one universe, on a local Open Cloud that enforces the
//    universe's 10 updates a second (time-scaled): each with its own Open Cloud client, as three
//    processes have (budgets live in the client, so three clients plan as three processes do).
//    Baseline: each planning alone. Targets: share of the budget used >= 0.95, 0 429s on the wire.
// 2. What sharing costs one process: the same 300 bans through one client, with the ledger and
//    without it. Target: shared throughput >= 0.95 of the in-process one.
// 3. Cost of the ledger's statements, with nothing waiting: p50/p99 of take + stamp.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { openDatabase, type DatabaseHandle } from "../src/db/connection.js";
import { createSharedRateLedger } from "../src/db/sharedRateLedger.js";
import { createOpenCloud, type OpenCloud } from "../src/opencloud/index.js";
import { OPERATION_BUDGETS, startOpenCloudEmulator } from "../test/emulators/opencloud/index.js";
import { createDatabase, dropDatabase, startPostgresServer } from "../test/support/postgresServer.js";
import { measure, ms } from "./stats.js";

const TIME_SCALE = 10;
const PROCESSES = 3;
const BANS_PER_PROCESS = 100;
const UNIVERSE = "1";
const OWNER = "700";
const KEY = "shared-bench-key-Wq81xR8tLp";
const { limit, windowMs } = OPERATION_BUDGETS["userRestrictions.update"].perUniverse;
const BUDGET_PER_S = (limit * 1_000 * TIME_SCALE) / windowMs;

interface Run {
  seconds: number;
  refused: number;
}

export async function run(): Promise<void> {
  const server = await startPostgresServer();
  const name = `bench_shared_${randomUUID().slice(0, 8)}`;
  const url = await createDatabase(server.url, name);
  const database = await openDatabase({ databaseUrl: url, dataDir: "" });
  try {
    await database.migrate();
    console.log(`\nShared budgets: ${PROCESSES} processes x ${BANS_PER_PROCESS} bans in one universe (budget ${BUDGET_PER_S}/s at scale ${TIME_SCALE})`);
    for (const shared of [false, true]) {
      const result = await banTogether(database, PROCESSES, shared);
      const share = (PROCESSES * BANS_PER_PROCESS) / result.seconds / BUDGET_PER_S;
      console.log(
        `  ${shared ? "shared through PostgreSQL" : "each planning alone (baseline)"}: ${result.seconds.toFixed(2)} s, ` +
          `${share.toFixed(3)} of the budget, ${result.refused} 429s on the wire` +
          (shared ? ` ${verdict(share >= 0.95 && result.refused === 0, ">= 0.95 and 0 429s")}` : ""),
      );
    }

    console.log(`\nOne process, ${PROCESSES * BANS_PER_PROCESS} bans: the ledger's cost on throughput`);
    const alone = await banTogether(database, 1, false, PROCESSES * BANS_PER_PROCESS);
    const shared = await banTogether(database, 1, true, PROCESSES * BANS_PER_PROCESS);
    const ratio = alone.seconds / shared.seconds;
    console.log(`  in-process budget: ${alone.seconds.toFixed(2)} s; shared: ${shared.seconds.toFixed(2)} s; shared/in-process throughput ${ratio.toFixed(3)} ${verdict(ratio >= 0.95, ">= 0.95")}`);

    const ledger = createSharedRateLedger(database.db);
    const timing = await measure(2_000, async (index) => {
      const buckets = [
        { id: `bench:player:${index}`, limit: 2, windowMs: 60_000 },
        { id: "bench:universe", limit: 1_000_000, windowMs: 1_000 },
        { id: "bench:owner", limit: 1_000_000, windowMs: 1_000 },
      ];
      const taken = await ledger.take(buckets, 10_000);
      if ("slot" in taken) await ledger.answered(buckets, taken.slot);
    });
    console.log(`\nLedger statements per call (take + stamp, 3 buckets, nothing waiting): p50 ${ms(timing.p50)}, p99 ${ms(timing.p99)}`);
  } finally {
    await database.close();
    await dropDatabase(server.url, name);
    await server.stop();
  }
}

/** `processes` clients ban `perProcess` players each, at once, on a fresh local Open Cloud. */
async function banTogether(database: DatabaseHandle, processes: number, shared: boolean, perProcess = BANS_PER_PROCESS): Promise<Run> {
  const oc = await startOpenCloudEmulator({ timeScale: TIME_SCALE, enforceRateLimits: true });
  oc.addUniverse({ id: UNIVERSE, displayName: "Bench", placeIds: ["10"] });
  oc.addApiKey({ key: KEY, ownerId: OWNER, scopes: [{ name: "universe.user-restriction", operations: ["read", "write"], universeIds: [UNIVERSE] }] });
  const ledger = shared ? createSharedRateLedger(database.db) : undefined;
  const clients: OpenCloud[] = Array.from({ length: processes }, () =>
    createOpenCloud({ openCloudUrl: oc.openCloudUrl, usersUrl: oc.usersUrl, thumbnailsUrl: oc.thumbnailsUrl, timeScale: TIME_SCALE, sharedLedger: ledger }),
  );
  try {
    const started = performance.now();
    await Promise.all(
      clients.flatMap((client, index) =>
        Array.from({ length: perProcess }, (_, n) => {
          const userId = String(100_000 + index * 10_000 + n);
          oc.addUser({ id: userId, name: `Bench${userId}` });
          return client.withKey(KEY, { ownerId: OWNER }).userRestrictions.ban({ universeId: UNIVERSE, userId, privateReason: "bench" });
        }),
      ),
    );
    const seconds = (performance.now() - started) / 1_000;
    return { seconds, refused: oc.calls.filter((call) => call.status === 429).length };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await oc.close();
    await database.executeSql("DELETE FROM rate_buckets");
  }
}

const verdict = (met: boolean, target: string) => `(target ${target}: ${met ? "met" : "NOT met"})`;
