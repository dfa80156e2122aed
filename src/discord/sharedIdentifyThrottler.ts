import { setTimeout as sleep } from "node:timers/promises";
import type { WebSocketOptions } from "discord.js";
import { sql } from "drizzle-orm";
import type { Database } from "../db/connection.js";
import { identifyTurns } from "../db/schema.js";

/**
 * Discord lets `max_concurrency` shards IDENTIFY per 5 seconds, one per
 * bucket (`shard_id % max_concurrency`), across the whole bot: an IDENTIFY
 * beyond that is answered with an invalid session. discord.js keeps that
 * count in memory, which only holds within one process; processes started
 * together (a rolling deploy, several hosts) share it through PostgreSQL.
 *
 * A turn is one conditional upsert of the bucket's row, by the database's
 * clock: it succeeds only once the window since the last turn has passed, so
 * of two processes asking at once one gets it, and nothing is held meanwhile
 * (a process that dies mid-start leaves no lock behind).
 */
export class SharedIdentifyThrottler implements IdentifyThrottler {
  /** Aborts the waits of a process that is stopping, so its database can close. */
  readonly #stopping = new AbortController();

  constructor(
    private readonly db: Database,
    private readonly maxConcurrency: number,
    /** Discord's window is 5 s; a second on top covers discord.js's send after the turn is taken. */
    private readonly windowMs = 6_000,
  ) {}

  async waitForIdentify(shardId: number, signal: AbortSignal): Promise<void> {
    const bucket = shardId % this.maxConcurrency;
    const abort = AbortSignal.any([signal, this.#stopping.signal]);
    while (!(await this.#takeTurn(bucket))) {
      await sleep(TURN_POLL_MS, undefined, { signal: abort });
    }
  }

  stop(): void {
    this.#stopping.abort();
  }

  async #takeTurn(bucket: number): Promise<boolean> {
    const taken = await this.db
      .insert(identifyTurns)
      .values({ bucket, takenAt: sql`now()` })
      .onConflictDoUpdate({
        target: identifyTurns.bucket,
        set: { takenAt: sql`now()` },
        setWhere: sql`${identifyTurns.takenAt} <= now() - make_interval(secs => ${this.windowMs / 1000})`,
      })
      .returning({ bucket: identifyTurns.bucket });
    return taken.length > 0;
  }
}

/** @discordjs/ws's throttler interface, which discord.js takes but does not re-export. */
type IdentifyThrottler = Awaited<ReturnType<NonNullable<WebSocketOptions["buildIdentifyThrottler"]>>>;

/** How often a waiting process asks again: identifies are rare, so a short poll costs nothing. */
const TURN_POLL_MS = 250;
