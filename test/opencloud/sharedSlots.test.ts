import { describe, expect, it } from "vitest";
import type { BucketSpec } from "../../src/opencloud/rateBudget.js";
import type { SharedLedger, SharedTake } from "../../src/opencloud/sharedLedger.js";
import { SharedSlots } from "../../src/opencloud/sharedSlots.js";
import { FakeClock, settle } from "./fakeClock.js";

/**
 * The ledger's contract on a fake clock, as PostgreSQL keeps it: a slot in
 * flight counts as answered now, an answered one for a window from its
 * answer; a full bucket answers with the wait until its oldest slot frees.
 */
class ClockLedger implements SharedLedger {
  asks = 0;
  /** Per bucket, the answer time of each slot; undefined while in flight. */
  private readonly slots = new Map<string, { slot: string; answeredAt: number | undefined }[]>();
  private next = 0;
  private failures = 0;

  constructor(private readonly clock: FakeClock) {}

  /** The next `count` asks fail, as a lost connection would. */
  failNext(count: number): void {
    this.failures = count;
  }

  async take(buckets: readonly BucketSpec[]): Promise<SharedTake> {
    this.asks++;
    if (this.failures > 0) {
      this.failures--;
      throw new Error("connection lost");
    }
    const now = this.clock.now();
    for (const bucket of buckets) {
      const counted = (this.slots.get(bucket.id) ?? []).map((slot) => (slot.answeredAt ?? now) + bucket.windowMs).filter((frees) => frees > now);
      if (counted.length >= bucket.limit) return { waitMs: Math.min(...counted) - now, blockedBy: bucket.id };
    }
    const slot = `slot-${this.next++}`;
    for (const bucket of buckets) this.slots.set(bucket.id, [...(this.slots.get(bucket.id) ?? []), { slot, answeredAt: undefined }]);
    return { slot };
  }

  async answered(buckets: readonly BucketSpec[], slot: string): Promise<void> {
    for (const bucket of buckets) for (const held of this.slots.get(bucket.id) ?? []) if (held.slot === slot) held.answeredAt = this.clock.now();
  }

  async hold(): Promise<void> {}
}

const UNIVERSE: BucketSpec = { id: "universe", limit: 1, windowMs: 1_000 };
const PLAYER: BucketSpec = { id: "player", limit: 1, windowMs: 3_000 };

function setUp() {
  const clock = new FakeClock();
  const ledger = new ClockLedger(clock);
  const sleeps: number[] = [];
  const slots = new SharedSlots(
    ledger,
    (ms) => {
      sleeps.push(ms);
      return new Promise((resolve) => clock.setTimer(resolve, ms));
    },
    30_000,
  );
  /** Takes a slot as a call does, answering at once; records when (fake time) it had it. */
  const call = (buckets: BucketSpec[]) => {
    const entry: { at?: number; error?: unknown } = {};
    slots.take(buckets).then(
      async (slot) => {
        entry.at = clock.now();
        await ledger.answered(buckets, slot);
      },
      (error: unknown) => (entry.error = error),
    );
    return entry;
  };
  return { clock, ledger, sleeps, call };
}

describe("SharedSlots", () => {
  it("takes a free slot with one ask and no sleep", async () => {
    const { ledger, sleeps, call } = setUp();
    const first = call([UNIVERSE]);
    await settle();
    expect(first.at).toBe(0);
    expect(ledger.asks).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it("sleeps exactly the wait the ledger told, then asks once more", async () => {
    const { clock, ledger, sleeps, call } = setUp();
    call([UNIVERSE]);
    await settle();
    await clock.advance(400);
    const second = call([UNIVERSE]);
    await clock.advance(599);
    expect(second.at).toBeUndefined();
    await clock.advance(1);
    expect(second.at).toBe(1_000);
    expect(sleeps).toEqual([600]);
    expect(ledger.asks).toBe(3);
  });

  it("lets only the first of the calls waiting on a bucket poll it; each next one asks once the one ahead has its slot", async () => {
    const { clock, ledger, sleeps, call } = setUp();
    call([UNIVERSE]);
    await settle();
    const waiting = [call([UNIVERSE]), call([UNIVERSE]), call([UNIVERSE])];
    await clock.advance(3_000);
    expect(waiting.map((entry) => entry.at)).toEqual([1_000, 2_000, 3_000]);
    // The first ask of each, then: the first once after its sleep, each later one once when the one ahead
    // is through (told to wait a window) and once after that window.
    expect(ledger.asks).toBe(1 + 3 + 1 + 2 + 2);
    expect(sleeps).toEqual([1_000, 1_000, 1_000]);
  });

  it("keeps the line of a bucket while calls are still in it: one that comes later waits behind them", async () => {
    const { clock, sleeps, call } = setUp();
    call([UNIVERSE]);
    await settle();
    const [first, second] = [call([UNIVERSE]), call([UNIVERSE])];
    await clock.advance(1_500);
    expect(first.at).toBe(1_000);
    // The second now waits for the slot the first took; a new call joins the line behind it.
    const late = call([UNIVERSE]);
    await clock.advance(1_500);
    expect([second.at, late.at]).toEqual([2_000, 3_000]);
    expect(sleeps).toEqual([1_000, 1_000, 1_000]);
  });

  it("after its wait on one bucket, leaves that bucket's line and waits on the next that is full", async () => {
    const { clock, sleeps, call } = setUp();
    call([PLAYER, UNIVERSE]);
    await settle();
    // The universe frees at 1000, the player only at 3000.
    const samePlayer = call([UNIVERSE, PLAYER]);
    const otherPlayer = call([UNIVERSE]);
    await clock.advance(3_000);
    expect(samePlayer.at).toBe(3_000);
    // Not held behind a call that now waits on another bucket.
    expect(otherPlayer.at).toBe(1_000);
    expect(sleeps).toEqual([1_000, 2_000]);
  });

  it("fails the call whose ask failed, and the next one in line still gets its slot", async () => {
    const { clock, ledger, call } = setUp();
    call([UNIVERSE]);
    await settle();
    const failing = call([UNIVERSE]);
    const next = call([UNIVERSE]);
    await settle();
    ledger.failNext(1);
    await clock.advance(2_000);
    expect(failing.error).toEqual(new Error("connection lost"));
    expect(next.at).toBe(1_000);
  });

  it("forgets a line once it is through: a later call sleeps its own wait instead of asking at once", async () => {
    const { clock, ledger, sleeps, call } = setUp();
    call([UNIVERSE]);
    await settle();
    call([UNIVERSE]);
    await clock.advance(1_000);
    const asksBefore = ledger.asks;
    const later = call([UNIVERSE]);
    await clock.advance(1_000);
    expect(later.at).toBe(2_000);
    expect(ledger.asks - asksBefore).toBe(2);
    expect(sleeps).toEqual([1_000, 1_000]);
  });
});
