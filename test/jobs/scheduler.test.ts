import { Writable } from "node:stream";
import PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { openDatabase, type DatabaseHandle, type DatabaseKind } from "../../src/db/connection.js";
import { jobIdFor, startScheduler, type Scheduler } from "../../src/jobs/scheduler.js";
import { createLogger } from "../../src/log.js";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.js";
import { waitUntil } from "../support/waitUntil.js";

const logLines: string[] = [];
const logger = createLogger(
  "debug",
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString("utf8"));
      done();
    },
  }),
);

describe.each<DatabaseKind>(["postgres", "pglite"])("the job scheduler on %s", (kind) => {
  let database: TestDatabase;
  /** A second process's own connection: PostgreSQL gets its own pool; PGlite belongs to one process, which shares it. */
  let other: DatabaseHandle;
  const schedulers: Scheduler[] = [];
  const start = async (handle: DatabaseHandle) => {
    const scheduler = await startScheduler(handle, logger, { pollingIntervalSeconds: 0.5, stopTimeoutMs: 5_000 });
    schedulers.push(scheduler);
    return scheduler;
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    other = database.url === undefined ? database.handle : await openDatabase({ databaseUrl: database.url, dataDir: "" });
  });
  afterAll(async () => {
    for (const scheduler of schedulers) await scheduler.stop();
    if (other !== database?.handle) await other?.close();
    await database?.destroy();
  });

  it("runs raw SQL scripts, and a failing one leaves the database usable", async () => {
    const script = await database.handle.executeSql("CREATE TEMP TABLE probe (n int); INSERT INTO probe VALUES (1), (2); SELECT count(*)::int AS n FROM probe");
    expect(script.rows).toEqual([{ n: 2 }]);
    await expect(database.handle.executeSql("BEGIN; SELECT 1/0; COMMIT;")).rejects.toThrow(/division by zero/);
    expect((await database.handle.executeSql("SELECT $1::int + 1 AS n", [41])).rows).toEqual([{ n: 42 }]);
  });

  it("gives pg-boss what it needs: its schema, SKIP LOCKED fetches, advisory-locked maintenance, expiry of a dead worker's job", async () => {
    const boss = new PgBoss({ db: { executeSql: (text, values) => database.handle.executeSql(text, values) }, schedule: false, supervise: false });
    boss.on("error", (error) => logger.error({ err: error }, "pg-boss error"));
    await boss.start();
    try {
      await boss.createQueue("probe.expiry", { name: "probe.expiry", expireInSeconds: 1, retryLimit: 1 });
      const id = await boss.send("probe.expiry", { n: 1 });
      const [taken] = await boss.fetch<{ n: number }>("probe.expiry");
      expect(taken?.id).toBe(id);
      expect(await boss.fetch("probe.expiry")).toEqual([]);
      // The worker that took it "dies"; maintenance (advisory-locked scripts) hands it back once expired.
      await waitUntil(async () => {
        await boss.maintain();
        return (await boss.getJobById("probe.expiry", id ?? ""))?.state === "retry";
      });
      const [again] = await boss.fetch<{ n: number }>("probe.expiry");
      expect(again?.data).toEqual({ n: 1 });
    } finally {
      await boss.stop({ graceful: false });
    }
  });

  it("runs a recurring job on its schedule, once per slot of its interval and never more", async () => {
    // Two processes asking, as in a deployment of several: still one run per slot.
    const [first, second] = [await start(database.handle), await start(other)];
    let runs = 0;
    for (const scheduler of [first, second]) {
      await scheduler.every("test.recurring", 1, async () => {
        runs += 1;
      });
    }
    await waitUntil(() => runs >= 3);
    const ran = runs;
    // Each run is a job stamped with the slot of database time it was made for: the schedule as the database kept it.
    const { rows } = await database.handle.executeSql(
      "SELECT (extract(epoch FROM singleton_on) * 1000)::bigint AS slot FROM pgboss.job WHERE name = $1 AND started_on IS NOT NULL ORDER BY singleton_on",
      ["test.recurring"],
    );
    const slots = (rows as { slot: string | number | null }[]).map((row) => (row.slot === null ? null : Number(row.slot)));
    expect(slots).not.toContain(null);
    expect(ran).toBeLessThanOrEqual(slots.length);
    const gaps = slots.slice(1).map((slot, index) => (slot ?? 0) - (slots[index] ?? 0));
    expect(gaps.every((gap) => gap >= 1_000), `slots ${slots.join(", ")}`).toBe(true);
  });

  it("runs a key's jobs one at a time across processes, without holding up other keys", async () => {
    const [first, second] = [await start(database.handle), await start(other)];
    const running = new Map<string, number>();
    const most = new Map<string, number>();
    const finished: string[] = [];
    let releaseSlow: () => void = () => undefined;
    const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
    const run = async ({ key }: { key: string }) => {
      running.set(key, (running.get(key) ?? 0) + 1);
      most.set(key, Math.max(most.get(key) ?? 0, running.get(key) ?? 0));
      if (key === "slow" && !finished.includes("slow")) await slowGate;
      running.set(key, (running.get(key) ?? 0) - 1);
      finished.push(key);
    };
    const options = { schema: z.object({ key: z.string() }), concurrency: 2, expireInSeconds: 60, run };
    const queues = [await first.exclusive("test.exclusive", options), await second.exclusive("test.exclusive", options)];

    expect(await queues[0]?.enqueue("slow", { key: "slow" })).toBe(true);
    await waitUntil(() => running.get("slow") === 1);
    // Asked again, from either process, while it runs: refused, not queued behind it.
    for (const queue of queues) expect(await queue.enqueue("slow", { key: "slow" })).toBe(false);
    // Another key runs meanwhile: the busy key does not block the queue.
    expect(await queues[1]?.enqueue("fast", { key: "fast" })).toBe(true);
    await waitUntil(() => finished.includes("fast"));
    expect(running.get("slow")).toBe(1);

    releaseSlow();
    await waitUntil(() => finished.includes("slow"));
    // Once its job is done the key can be queued again, and runs again.
    await waitUntil(async () => (await queues[0]?.enqueue("slow", { key: "slow" })) === true);
    await waitUntil(() => finished.filter((key) => key === "slow").length === 2);
    expect(Object.fromEntries(most)).toEqual({ slow: 1, fast: 1 });
  });

  it("reports each queue's waiting and running jobs, and how long the oldest has waited", async () => {
    const scheduler = await start(database.handle);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    const queue = await scheduler.exclusive("test.stats", {
      schema: z.object({ key: z.string() }),
      concurrency: 1,
      expireInSeconds: 60,
      run: async ({ key }) => {
        started.push(key);
        await gate;
      },
    });
    await queue.enqueue("first", { key: "first" });
    await waitUntil(() => started.length === 1);
    await queue.enqueue("second", { key: "second" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stats = (await scheduler.queueStats()).find((stat) => stat.queue === "test.stats");
    expect(stats).toMatchObject({ waiting: 1, active: 1 });
    expect(stats?.lagSeconds).toBeGreaterThan(0);
    release();
    await waitUntil(async () => (await scheduler.queueStats()).find((stat) => stat.queue === "test.stats")?.active === 0);
  });

  it("logs a failing job and keeps working", async () => {
    const scheduler = await start(database.handle);
    const done: number[] = [];
    const queue = await scheduler.exclusive("test.failing", {
      schema: z.object({ n: z.number() }),
      concurrency: 1,
      expireInSeconds: 60,
      run: async ({ n }) => {
        if (n === 1) throw new Error("Roblox is down");
        done.push(n);
      },
    });
    await queue.enqueue("a", { n: 1 });
    await queue.enqueue("b", { n: 2 });
    await waitUntil(() => done.includes(2) && logLines.some((line) => line.includes("Roblox is down")));
    const failure = JSON.parse(logLines.find((line) => line.includes("Roblox is down")) ?? "{}") as { queue?: string; msg?: string };
    expect(failure).toMatchObject({ queue: "test.failing", msg: "job failed; the next run tries again" });
  });

  it("keeps working when the database fails just as a job ends, leaving that job to expire and run again", async () => {
    // pg-boss records a job's end without awaiting it: unhandled, that failure would end the process.
    const failingEndings: Pick<DatabaseHandle, "executeSql"> = {
      async executeSql(text, values) {
        if (/SET completed_on = now\(\)/.test(text) && JSON.stringify(values).includes(jobIdFor("test.ending", "refused"))) {
          throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
        }
        return database.handle.executeSql(text, values);
      },
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const scheduler = await startScheduler(failingEndings, logger, { pollingIntervalSeconds: 0.5, stopTimeoutMs: 5_000 });
      schedulers.push(scheduler);
      const runs: string[] = [];
      const queue = await scheduler.exclusive("test.ending", {
        schema: z.object({ key: z.string() }),
        concurrency: 1,
        expireInSeconds: 60,
        run: async ({ key }) => {
          runs.push(key);
        },
      });
      // Only the first job's ending is refused (a key's job id is derived from the key).
      await queue.enqueue("refused", { key: "refused" });
      await waitUntil(() => logLines.some((line) => line.includes("could not record how a job ended")));
      await queue.enqueue("next", { key: "next" });
      await waitUntil(() => runs.includes("next"));
      expect(unhandled).toEqual([]);
      const { rows } = await database.handle.executeSql("SELECT data->>'key' AS key, state FROM pgboss.job WHERE name = $1 ORDER BY created_on", [
        "test.ending",
      ]);
      // Still active: pg-boss's maintenance expires it and it runs again, as for a crashed process.
      expect(rows).toEqual([
        { key: "refused", state: "active" },
        { key: "next", state: "completed" },
      ]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it.runIf(kind === "postgres")("hands back a job fetched as it stops, before its database may close", async () => {
    const own = await openDatabase({ databaseUrl: database.url, dataDir: "" });
    let holdFetched: (() => void) | undefined;
    const fetchedHeld = new Promise<void>((resolve) => (holdFetched = resolve));
    let letGo: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (letGo = resolve));
    // A fetch that takes a job answers only after stop() has begun: the race a shutdown meets.
    const slowFetches: Pick<DatabaseHandle, "executeSql"> = {
      async executeSql(text, values) {
        const result = await own.executeSql(text, values);
        if (text.includes("SKIP LOCKED") && result.rows.length > 0) {
          holdFetched?.();
          await gate;
        }
        return result;
      },
    };
    const scheduler = await startScheduler(slowFetches, logger, { pollingIntervalSeconds: 0.5, stopTimeoutMs: 1_000 });
    const ran: string[] = [];
    const queue = await scheduler.exclusive("test.stopping", {
      schema: z.object({ key: z.string() }),
      concurrency: 1,
      expireInSeconds: 60,
      run: async ({ key }) => {
        ran.push(key);
      },
    });
    await queue.enqueue("late", { key: "late" });
    await fetchedHeld;
    const stopped = scheduler.stop();
    setTimeout(letGo, 300);
    await stopped;
    await own.close();

    expect(ran).toEqual([]);
    const { rows } = await database.handle.executeSql("SELECT state FROM pgboss.job WHERE name = $1", ["test.stopping"]);
    expect(rows).toEqual([{ state: "retry" }]);
  });
});
