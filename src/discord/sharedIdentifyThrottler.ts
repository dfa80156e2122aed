import { setTimeout as sleep } from "node:timers/promises";
import type { WebSocketOptions } from "discord.js";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/connection.js";

/**
 * Discord lets `max_concurrency` shards IDENTIFY per 5 seconds, one per
 * bucket (`shard_id % max_concurrency`), across the whole bot: an IDENTIFY
 * beyond that is answered with an invalid session. discord.js keeps that
 * count in memory, which only holds within one process; processes started
 * together (a rolling deploy, several hosts) share it through PostgreSQL.
 *
 * A bucket's turn is a transaction-scoped advisory lock held for the window
 * after the IDENTIFY: the next process waits on it, and a process that dies
 * holding it frees it with its connection.
 */
export class SharedIdentifyThrottler implements IdentifyThrottler {
  /** Aborts the waits of a process that is stopping, so its database can close. */
  readonly #stopping = new AbortController();

  constructor(
    private readonly db: Database,
    private readonly maxConcurrency: number,
    /** Discord's window is 5 s; a second on top covers discord.js's send after we return. */
    private readonly holdMs = 6_000,
  ) {}

  async waitForIdentify(shardId: number, signal: AbortSignal): Promise<void> {
    const bucket = shardId % this.maxConcurrency;
    const abort = AbortSignal.any([signal, this.#stopping.signal]);
    while (!(await this.#takeTurn(bucket, abort))) {
      await sleep(TURN_POLL_MS, undefined, { signal: abort });
    }
  }

  stop(): void {
    this.#stopping.abort();
  }

  /** True once this process holds the bucket's turn; the lock then stays held for the window, in the background. */
  #takeTurn(bucket: number, abort: AbortSignal): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.db
        .transaction(async (tx) => {
          const result = await tx.execute(sql`SELECT pg_try_advisory_xact_lock(${IDENTIFY_LOCK_CLASS}, ${bucket}) AS locked`);
          const locked = lockResult.parse(result).rows[0]?.locked === true;
          resolve(locked);
          if (locked) await sleep(this.holdMs, undefined, { signal: abort }).catch(() => undefined);
        })
        .catch(reject);
    });
  }
}

/** @discordjs/ws's throttler interface, which discord.js takes but does not re-export. */
type IdentifyThrottler = Awaited<ReturnType<NonNullable<WebSocketOptions["buildIdentifyThrottler"]>>>;

/** What either driver answers to the lock query (drizzle types a raw result as unknown). */
const lockResult = z.object({ rows: z.array(z.object({ locked: z.boolean() })) });

/** The first key of Warden's identify locks; the second is the bucket. Arbitrary, fixed, Warden's own. */
const IDENTIFY_LOCK_CLASS = 0x5744_4944; // "WDID"
/** How often a waiting process asks again: identifies are rare, so a short poll costs nothing. */
const TURN_POLL_MS = 250;
