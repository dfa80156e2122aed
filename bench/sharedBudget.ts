// Roblox's budgets shared between processes through PostgreSQL (src/db/sharedRateLedger.ts).
//
// 1. Three processes ban at once in one universe, on a local Open Cloud that enforces the
//    universe's 10 updates a second (time-scaled): each with its own Open Cloud client, as three
//    processes have (budgets live in the client, so three clients plan as three processes do).
//    Baseline: each planning alone. Targets: share of the budget used >= 0.95, 0 429s on the wire.
//    Then the same for join decisions: three processes accept join requests in three groups of one
//    owner, each with its own key, against the owner's 100 accepts a minute.
// 2. What sharing costs one process: the same 300 bans through one client, with the ledger and
//    without it. Target: shared throughput >= 0.95 of the in-process one.
// 3. Cost of the ledger's statements, with nothing waiting: p50/p99 of take + stamp.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { openDatabase, type DatabaseHandle } from "../src/db/connection.js";
import { createSharedRateLedger } from "../src/db/sharedRateLedger.js";
import { createOpenCloud, type OpenCloud } from "../src/opencloud/index.js";
import { OPERATION_BUDGETS, startOpenCloudEmulator, type OpenCloudEmulator } from "../test/emulators/opencloud/index.js";
import { createDatabase, dropDatabase, startPostgresServer } from "../test/support/postgresServer.js";
import { measure, ms } from "./stats.js";

const PROCESSES = 3;
const BANS_PER_PROCESS = 100;
const UNIVERSE = "1";
const OWNER = "700";
const KEY = "shared-bench-key-Wq81xR8tLp";
const FIRST_GROUP = 70;

interface Run {
  seconds: number;
  refused: number;
}

/** One kind of call that three processes make at once, against one budget of Roblox's. */
interface Workload {
  /** Divides Roblox's windows, in the local Open Cloud and in the clients alike. */
  timeScale: number;
  /** The budget the run saturates. */
  budget: { limit: number; windowMs: number };
  perProcess: number;
  /** Gives Roblox what the calls need: the universe or groups, the owner's keys, the players. */
  seed(oc: OpenCloudEmulator, processes: number, perProcess: number): void;
  /** The `n`-th call of process `index`, through that process's own client. */
  call(client: OpenCloud, index: number, n: number): Promise<unknown>;
}

const playerOf = (index: number, n: number) => String(100_000 + index * 10_000 + n);

/**
 * Bans in one universe: its 10 updates a second, at scale 2 (half-second windows). A slot is reused
 * a window after its answer is stamped in PostgreSQL, so each window also costs the few milliseconds
 * a call spends in the database and on the loopback; at scale 10 (100 ms windows) those weigh ten
 * times what they do at Roblox's pace, and the share measures the machine's load more than the plan.
 */
const bans: Workload = {
  timeScale: 2,
  budget: OPERATION_BUDGETS["userRestrictions.update"].perUniverse,
  perProcess: BANS_PER_PROCESS,
  seed(oc, processes, perProcess) {
    oc.addUniverse({ id: UNIVERSE, displayName: "Bench", placeIds: ["10"] });
    oc.addApiKey({ key: KEY, ownerId: OWNER, scopes: [{ name: "universe.user-restriction", operations: ["read", "write"], universeIds: [UNIVERSE] }] });
    for (let index = 0; index < processes; index++) {
      for (let n = 0; n < perProcess; n++) oc.addUser({ id: playerOf(index, n), name: `Bench${playerOf(index, n)}` });
    }
  },
  call: (client, index, n) =>
    client.withKey(KEY, { ownerId: OWNER }).userRestrictions.ban({ universeId: UNIVERSE, userId: playerOf(index, n), privateReason: "bench" }),
};

/**
 * Join requests accepted in three groups of one owner, one group and one key per process (guilds
 * on three shards): the owner's 100 accepts a minute, at scale 10 (6 s windows). Each window costs
 * a call's latency on top (a slot is reused a window after its answer); at scale 60 the windows
 * are 1 s and that cost alone takes the share from about 0.93 to about 0.71.
 */
const joinDecisions: Workload = {
  timeScale: 10,
  budget: OPERATION_BUDGETS["groups.acceptJoinRequest"].perOwner,
  perProcess: 200,
  seed(oc, processes, perProcess) {
    oc.addUser({ id: OWNER, name: `Owner${OWNER}` });
    for (let index = 0; index < processes; index++) {
      const groupId = String(FIRST_GROUP + index);
      oc.addGroup({ id: groupId, displayName: `Bench group ${groupId}`, ownerId: OWNER });
      oc.addApiKey({ key: groupKey(index), ownerId: OWNER, scopes: [{ name: "group", operations: ["read", "write"], groupIds: [groupId] }] });
      for (let n = 0; n < perProcess; n++) {
        oc.addUser({ id: playerOf(index, n), name: `Joiner${playerOf(index, n)}` });
        oc.addJoinRequest({ groupId, userId: playerOf(index, n) });
      }
    }
  },
  call: (client, index, n) =>
    client.withKey(groupKey(index), { ownerId: OWNER }).groups.acceptJoinRequest(String(FIRST_GROUP + index), playerOf(index, n)),
};

function groupKey(index: number): string {
  return `shared-bench-group-key-${index}-Hs72kQ0pZm`;
}

export async function run(): Promise<void> {
  const server = await startPostgresServer();
  const name = `bench_shared_${randomUUID().slice(0, 8)}`;
  const url = await createDatabase(server.url, name);
  const database = await openDatabase({ databaseUrl: url, dataDir: "" });
  try {
    await database.migrate();
    for (const [what, workload] of [
      [`bans in one universe`, bans],
      [`join requests accepted in three groups of one owner`, joinDecisions],
    ] as const) {
      const { limit, windowMs } = workload.budget;
      const perSecond = (limit * 1_000 * workload.timeScale) / windowMs;
      console.log(`\nShared budgets: ${PROCESSES} processes x ${workload.perProcess} ${what} (budget ${Number(perSecond.toFixed(1))}/s at scale ${workload.timeScale})`);
      for (const shared of [false, true]) {
        const result = await together(database, workload, PROCESSES, shared);
        const share = shareOfBudget(PROCESSES * workload.perProcess, result.seconds, workload);
        console.log(
          `  ${shared ? "shared through PostgreSQL" : "each planning alone (baseline)"}: ${result.seconds.toFixed(2)} s, ` +
            `${share.toFixed(3)} of the budget, ${result.refused} 429s on the wire` +
            (shared ? ` ${verdict(share >= 0.95 && result.refused === 0, ">= 0.95 and 0 429s")}` : ""),
        );
      }
    }

    console.log(`\nOne process, ${PROCESSES * BANS_PER_PROCESS} bans: the ledger's cost on throughput`);
    const oneProcess = { ...bans, perProcess: PROCESSES * BANS_PER_PROCESS };
    const alone = await together(database, oneProcess, 1, false);
    const shared = await together(database, oneProcess, 1, true);
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

/** `processes` clients make the workload's calls, `perProcess` each, at once, on a fresh local Open Cloud. */
async function together(database: DatabaseHandle, workload: Workload, processes: number, shared: boolean): Promise<Run> {
  const oc = await startOpenCloudEmulator({ timeScale: workload.timeScale, enforceRateLimits: true });
  workload.seed(oc, processes, workload.perProcess);
  const ledger = shared ? createSharedRateLedger(database.db) : undefined;
  const clients: OpenCloud[] = Array.from({ length: processes }, () =>
    createOpenCloud({ openCloudUrl: oc.openCloudUrl, usersUrl: oc.usersUrl, thumbnailsUrl: oc.thumbnailsUrl, timeScale: workload.timeScale, sharedLedger: ledger }),
  );
  try {
    const started = performance.now();
    await Promise.all(clients.flatMap((client, index) => Array.from({ length: workload.perProcess }, (_, n) => workload.call(client, index, n))));
    const seconds = (performance.now() - started) / 1_000;
    return { seconds, refused: oc.calls.filter((call) => call.status === 429).length };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await oc.close();
    await database.executeSql("DELETE FROM rate_buckets");
  }
}

/**
 * The calls made ÷ the most the budget admits in the run. Roblox's windows slide: a whole window's
 * quota may go at once, then the rate, so `limit + seconds x rate` at most; the quota given at once
 * is taken off both sides (it is 100 of the join budget's 600 calls, 10 of the bans' 300).
 */
function shareOfBudget(calls: number, seconds: number, workload: Workload): number {
  const { limit, windowMs } = workload.budget;
  const perSecond = (limit * 1_000 * workload.timeScale) / windowMs;
  return (calls - limit) / seconds / perSecond;
}

const verdict = (met: boolean, target: string) => `(target ${target}: ${met ? "met" : "NOT met"})`;
