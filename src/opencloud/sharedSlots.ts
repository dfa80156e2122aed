import type { BucketSpec } from "./rateBudget.js";
import type { SharedLedger, SharedTake } from "./sharedLedger.js";

/**
 * This process's side of the shared budgets: waits for a slot in the ledger
 * and takes it. Of this process's calls waiting on one bucket, only the first
 * in line asks the ledger again, after exactly the wait it was told, and the
 * next asks as soon as it has its slot: tens of calls polling one row of
 * PostgreSQL would otherwise queue on its lock, and the slot they wait for
 * would go unused while they do.
 */
export class SharedSlots {
  /** Per blocking bucket, the end of this process's line of calls waiting on it. */
  private readonly lines = new Map<string, Promise<unknown>>();

  constructor(
    private readonly ledger: SharedLedger,
    private readonly sleep: (ms: number) => Promise<void>,
    /** How long a taken slot counts as in flight if its answer is never stamped: the call's timeout. */
    private readonly inFlightMs: number,
  ) {}

  /** Resolves with the slot once every bucket had room; rejects if the ledger cannot be asked. */
  async take(buckets: readonly BucketSpec[]): Promise<string> {
    let taken = await this.ledger.take(buckets, this.inFlightMs);
    while (!("slot" in taken)) taken = await this.inLine(buckets, taken);
    return taken.slot;
  }

  /** Waits behind this process's earlier calls blocked by the same bucket, then until that bucket lets this one by. */
  private async inLine(buckets: readonly BucketSpec[], blocked: { waitMs: number; blockedBy: string }): Promise<SharedTake> {
    const ahead = this.lines.get(blocked.blockedBy);
    const mine = (async () => {
      if (ahead === undefined) await this.sleep(blocked.waitMs);
      else await ahead;
      return this.askUntilPast(buckets, blocked.blockedBy);
    })();
    const done = mine.catch(() => undefined);
    this.lines.set(blocked.blockedBy, done);
    try {
      return await mine;
    } finally {
      if (this.lines.get(blocked.blockedBy) === done) this.lines.delete(blocked.blockedBy);
    }
  }

  /** Asks, and sleeps the wait it is told, until it has a slot or another bucket is the reason to wait. */
  private async askUntilPast(buckets: readonly BucketSpec[], bucketId: string): Promise<SharedTake> {
    for (;;) {
      const taken = await this.ledger.take(buckets, this.inFlightMs);
      if ("slot" in taken || taken.blockedBy !== bucketId) return taken;
      await this.sleep(taken.waitMs);
    }
  }
}
