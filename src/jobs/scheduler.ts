import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import PgBoss from "pg-boss";
import { z } from "zod";
import type { DatabaseHandle } from "../db/connection.js";
import type { Logger } from "../log.js";
import type { QueueStats } from "../metrics.js";

/**
 * Scheduled work on pg-boss, in the bot's own database: every process that
 * shares the database may pick a job up, none runs it twice, and all state
 * lives in Postgres, so a restart (or a crash) loses nothing.
 */
export interface Scheduler {
  /**
   * Runs `run` once per `intervalSeconds`, counted in slots of database
   * time, whichever process gets there first; a run still going when the
   * next is due delays it rather than overlapping it.
   */
  every(name: string, intervalSeconds: number, run: () => Promise<void>): Promise<void>;
  /** A queue of jobs each due at a time of their own, once per key (see DelayedQueue). */
  delayed<T extends object>(name: string, options: DelayedOptions<T>): Promise<DelayedQueue<T>>;
  /** A queue where each key's jobs run one at a time (see ExclusiveQueue). */
  exclusive<T extends object>(name: string, options: ExclusiveOptions<T>): Promise<ExclusiveQueue<T>>;
  /** Stops taking jobs and waits for the running ones; jobs not finished are handed back to the queue. */
  stop(): Promise<void>;
  /** Until stop() is called. */
  isRunning(): boolean;
  /** Every queue's backlog, across all processes on this database. */
  queueStats(): Promise<QueueStats[]>;
}

export interface ExclusiveOptions<T> {
  /** Job data is read back from the database, perhaps written by another version of the bot. */
  schema: z.ZodType<T>;
  /** How many keys this process works on at once. */
  concurrency: number;
  /** A run still going after this long is presumed dead (its process crashed) and is retried. */
  expireInSeconds: number;
  run(data: T): Promise<void>;
}

export interface ExclusiveQueue<T> {
  /**
   * Queues a job for `key` unless one is already waiting or running; true
   * when queued. A key is thus never worked on twice at once, nor piles up
   * behind a slow run, and its next job goes to the back of the queue.
   * Enqueue a key from one place at a time (a recurring run): two enqueues
   * of one key racing could each clear the other's job.
   */
  enqueue(key: string, data: T): Promise<boolean>;
}

export interface DelayedOptions<T> {
  /** Job data is read back from the database, perhaps written by another version of the bot. */
  schema: z.ZodType<T>;
  /** How many jobs this process runs at once. */
  concurrency: number;
  /** A run still going after this long is presumed dead (its process crashed) and is retried. */
  expireInSeconds: number;
  /** Throwing fails the run, and it is tried again a little later, a few times. */
  run(data: T): Promise<void>;
}

export interface DelayedQueue<T> {
  /**
   * Queues `data` to run at `at`, whichever process of the shard gets there
   * first. Once per key: the job's id is derived from it, so asking again
   * (a restart, a second process) adds nothing while the job exists, run or not.
   */
  sendAt(key: string, data: T, at: Date): Promise<void>;
}

export interface SchedulerOptions {
  /** How often an idle worker asks for a job; pg-boss's floor is half a second. */
  pollingIntervalSeconds?: number;
  /** How long stop() waits for running jobs. */
  stopTimeoutMs?: number;
}

/** Retries are for runs cut short by a crash or a shutdown, not for errors: those are logged and the next run tries again. */
const RETRY_LIMIT = 3;
/** A delayed job has no next run: a failed one is tried again this often, after this long at first, backing off. */
const DELAYED_RETRY_LIMIT = 10;
const DELAYED_RETRY_DELAY_SECONDS = 5;
const UNFINISHED: ReadonlySet<string> = new Set(["created", "retry", "active"]);
/**
 * Recurring runs only hand work out, in seconds; one running longer is taken
 * for a crashed process's, and the next run may start.
 */
const RECURRING_EXPIRY_SECONDS = 300;

/**
 * The statements pg-boss 10 sends without awaiting them: marking a job done
 * or failed once its handler returns (manager.js, onFetch). Read from its
 * own query plans (pinned version), so they match exactly.
 */
const pgBossPlans = createRequire(import.meta.url)("pg-boss/src/plans.js") as {
  completeJobs(schema: string): string;
  failJobsById(schema: string): string;
};
const UNAWAITED_BY_PG_BOSS: ReadonlySet<string> = new Set([pgBossPlans.completeJobs("pgboss"), pgBossPlans.failJobsById("pgboss")]);

export async function startScheduler(
  database: Pick<DatabaseHandle, "executeSql">,
  logger: Logger,
  options: SchedulerOptions = {},
): Promise<Scheduler> {
  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 2;
  // pg-boss does not await every query of its own (marking a job done or failed, a fetch that
  // answers during shutdown), so stop() waits for these before the database may close.
  const queries = new Set<Promise<unknown>>();
  const boss = new PgBoss({
    // The bot's handle, not a second pool: it works for PGlite too, where there is no connection string.
    db: {
      executeSql: (text, values) => {
        const query = database.executeSql(text, values);
        const forget = () => queries.delete(query);
        queries.add(query);
        query.then(forget, forget);
        if (!UNAWAITED_BY_PG_BOSS.has(text)) return query;
        // Nobody awaits these, so a rejection (the database down as a job ends) would end the
        // process. Reported instead: the job stays active until it expires, then runs again.
        return query.catch((error: unknown) => {
          logger.warn({ err: error }, "could not record how a job ended; it runs again once it expires");
          // What pg-boss reads back from these statements: how many jobs they changed, here none.
          return { rows: [{ count: 0 }] };
        });
      },
    },
    // Cron has minute granularity and polls on its own; every() below needs neither.
    schedule: false,
  });
  // pg-boss reports its own failures (maintenance, fetching) as events; unheard, an 'error' event would end the process.
  boss.on("error", (error) => logger.error({ err: error }, "job queue error"));
  await boss.start();

  const timers: NodeJS.Timeout[] = [];
  let stopping = false;

  /** Runs a job's work; errors are logged, not rethrown, so pg-boss keeps retries for runs that never finished. */
  const handle = (queue: string, work: (job: PgBoss.Job) => Promise<void>) => async ([job]: PgBoss.Job[]) => {
    if (job === undefined) return;
    // A job fetched as stop() began must not start against services being shut down: failing hands it back.
    if (stopping) throw new Error("the scheduler is stopping");
    try {
      await work(job);
    } catch (error) {
      if (error instanceof RetryLater) throw error;
      logger.error({ err: error, queue, job: job.id }, "job failed; the next run tries again");
    }
  };

  const addWorkers = async (name: string, count: number, work: (job: PgBoss.Job) => Promise<void>) => {
    // pg-boss 10 hands a worker one batch at a time: several workers let one slow job not hold up the rest.
    for (let worker = 0; worker < count; worker += 1) {
      await boss.work(name, { batchSize: 1, pollingIntervalSeconds }, handle(name, work));
    }
  };

  return {
    async every(name, intervalSeconds, run) {
      // Stately: one run at a time and at most one waiting, so slow runs never pile up.
      await boss.createQueue(name, { name, policy: "stately", retryLimit: 0, expireInSeconds: RECURRING_EXPIRY_SECONDS });
      // Throttled to one job per slot of the database's clock: every process may ask, one job is made.
      const request = () =>
        boss.sendThrottled(name, {}, {}, intervalSeconds, name).catch((error: unknown) => {
          logger.warn({ err: error, queue: name }, "could not schedule the next run; trying again shortly");
        });
      void request();
      // Asked twice a slot, so no slot is missed when timers drift; the extra ask makes nothing.
      const timer = setInterval(() => void request(), (intervalSeconds * 1000) / 2);
      // The work scheduled does not keep a process alive on its own; whatever started it decides that.
      timer.unref();
      timers.push(timer);
      await addWorkers(name, 1, () => run());
    },

    async delayed<T extends object>(name: string, queue: DelayedOptions<T>): Promise<DelayedQueue<T>> {
      await boss.createQueue(name, {
        name,
        policy: "standard",
        retryLimit: DELAYED_RETRY_LIMIT,
        retryDelay: DELAYED_RETRY_DELAY_SECONDS,
        retryBackoff: true,
        expireInSeconds: queue.expireInSeconds,
      });
      await addWorkers(name, queue.concurrency, async (job) => {
        try {
          await queue.run(queue.schema.parse(job.data));
        } catch (error) {
          // Rethrown past handle()'s log: pg-boss then fails the run and tries it again later.
          logger.warn({ err: error, queue: name, job: job.id }, "delayed job failed; it is tried again shortly");
          throw new RetryLater(error);
        }
      });
      return {
        async sendAt(key, data, at) {
          // The id is what makes it once per key; the singleton key names the job for whoever reads the queue.
          await boss.send(name, data, { id: jobIdFor(name, key), singletonKey: key, startAfter: at });
        },
      };
    },

    async exclusive<T extends object>(name: string, queue: ExclusiveOptions<T>): Promise<ExclusiveQueue<T>> {
      // Each key's job has an id derived from the key, so the primary key refuses a second job for it
      // while one exists. pg-boss 10's keyed policies alone would stall: once a key's second job is
      // the oldest due while its first runs, every fetch tries to start it, hits the policy's unique
      // index and returns nothing, so no other key's job starts either (tried on 10.4.2).
      // The singleton policy stays as a second guard: the database refuses two running jobs of one key.
      await boss.createQueue(name, { name, policy: "singleton", retryLimit: RETRY_LIMIT, expireInSeconds: queue.expireInSeconds });
      await addWorkers(name, queue.concurrency, (job) => queue.run(queue.schema.parse(job.data)));
      return {
        async enqueue(key, data) {
          const id = jobIdFor(name, key);
          const existing = await boss.getJobById(name, id);
          if (existing !== null) {
            if (UNFINISHED.has(existing.state)) return false;
            // A finished job keeps its row, and so the key's id, until pg-boss archives it hours later.
            await boss.deleteJob(name, id);
          }
          return (await boss.send(name, data, { id, singletonKey: key })) !== null;
        },
      };
    },

    isRunning: () => !stopping,

    async queueStats() {
      const { rows } = await database.executeSql(QUEUE_STATS);
      return queueStatsRow.array().parse(rows);
    },

    async stop() {
      stopping = true;
      for (const timer of timers) clearInterval(timer);
      await boss.stop({ graceful: true, timeout: options.stopTimeoutMs ?? 30_000 });
      // A query that settles may make pg-boss send another (a fetched job is failed back): wait a
      // turn of the event loop after each round, until nothing more is asked.
      while (queries.size > 0) {
        await Promise.allSettled([...queries]);
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}

/** A delayed job's failure, handed to pg-boss so that it retries the run. */
class RetryLater extends Error {
  override name = "RetryLater";
  constructor(cause: unknown) {
    super("the job failed and is retried", { cause });
  }
}

/** Waiting counts only jobs already due: a recurring run queued for later is not a backlog. */
const QUEUE_STATS = `
  SELECT q.name AS queue,
    count(j.id) FILTER (WHERE j.state IN ('created', 'retry') AND j.start_after <= now()) AS waiting,
    count(j.id) FILTER (WHERE j.state = 'active') AS active,
    coalesce(extract(epoch FROM now() - min(j.start_after) FILTER (WHERE j.state IN ('created', 'retry') AND j.start_after <= now())), 0) AS lag
  FROM pgboss.queue q
  LEFT JOIN pgboss.job j ON j.name = q.name AND j.state < 'completed'
  GROUP BY q.name
  ORDER BY q.name`;
const queueStatsRow = z
  .object({ queue: z.string(), waiting: z.coerce.number(), active: z.coerce.number(), lag: z.coerce.number() })
  .transform(({ queue, waiting, active, lag }): QueueStats => ({ queue, waiting, active, lagSeconds: lag }));

/** A UUID (v5 layout, SHA-1) named by queue and key: the same key always gets the same job id. */
export function jobIdFor(queue: string, key: string): string {
  const bytes = createHash("sha1").update(`${queue}\n${key}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
