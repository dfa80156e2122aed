import { describe, expect, it } from "vitest";
import { type BucketSpec, type Clock, type Lease, RateBudget, systemClock } from "../../src/opencloud/rateBudget.js";
import { FakeClock, settle } from "./fakeClock.js";

const perSecond = (id: string, limit: number): BucketSpec => ({ id, limit, windowMs: 1_000 });

/** Starts an acquisition and records when (fake time) it was granted. */
function track(budget: RateBudget, clock: FakeClock, specs: BucketSpec[]) {
  const entry: { grantedAt?: number; lease?: Lease; error?: unknown } = {};
  budget.acquire(specs).then(
    (lease) => {
      entry.grantedAt = clock.now();
      entry.lease = lease;
    },
    (error: unknown) => {
      entry.error = error;
    },
  );
  return entry;
}

describe("RateBudget", () => {
  it("lets the budget through at once and queues the rest until a window after the answers", async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(clock);
    const calls = Array.from({ length: 4 }, () => track(budget, clock, [perSecond("k", 3)]));
    await settle();
    expect(calls.map((c) => c.grantedAt)).toEqual([0, 0, 0, undefined]);

    await clock.advance(200);
    for (const call of calls.slice(0, 3)) call.lease?.release();
    // Counted from the answers (t=200), not from the sends (t=0).
    await clock.advance(999);
    expect(calls[3]?.grantedAt).toBeUndefined();
    await clock.advance(1);
    expect(calls[3]?.grantedAt).toBe(1_200);
  });

  it("never frees a slot whose call is still in flight", async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(clock);
    const first = track(budget, clock, [perSecond("k", 1)]);
    const second = track(budget, clock, [perSecond("k", 1)]);
    await clock.advance(10_000);
    expect(first.grantedAt).toBe(0);
    expect(second.grantedAt).toBeUndefined();
    first.lease?.release();
    await clock.advance(1_000);
    expect(second.grantedAt).toBe(11_000);
  });

  it("serves one tenant's waiters first come, first served", async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(clock);
    const order: number[] = [];
    const leases: Lease[] = [];
    for (let i = 0; i < 5; i++) {
      void budget.acquire([perSecond("k", 1)]).then((lease) => {
        order.push(i);
        leases.push(lease);
      });
    }
    for (let step = 0; step < 5; step++) {
      await clock.advance(1_000);
      leases.shift()?.release();
    }
    await clock.advance(1_000);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it("lets tenants sharing a bucket take turns, so a long queue cannot starve a short one", async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(clock);
    const order: string[] = [];
    const leases: Lease[] = [];
    const queue = (tenant: string, count: number) => {
      for (let i = 0; i < count; i++) {
        void budget.acquire([perSecond("universe", 1)], tenant).then((lease) => {
          order.push(`${tenant}${i}`);
          leases.push(lease);
        });
      }
    };
    queue("a", 50);
    await settle();
    queue("b", 1);
    queue("c", 2);
    for (let step = 0; step < 8; step++) {
      leases.shift()?.release();
      await clock.advance(1_000);
    }
    // a0 held the slot before anyone else came; then one call per tenant in turn.
    expect(order).toEqual(["a0", "a1", "b0", "c0", "a2", "c1", "a3", "a4", "a5"]);
  });

  it("keeps the rotation fair across buckets taken in turn (player, then universe)", async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(clock);
    const granted: string[] = [];
    const leases: Lease[] = [];
    const ban = (tenant: string, player: string) =>
      void budget.acquire([{ id: `player:${player}`, limit: 2, windowMs: 60_000 }, perSecond("universe", 10)], tenant).then((lease) => {
        granted.push(tenant);
        leases.push(lease);
      });
    for (let i = 0; i < 50; i++) ban("busy", `p${i}`);
    await settle();
    ban("quiet", "q");
    await settle();
    expect(granted).toHaveLength(10);
    for (const lease of leases.splice(0)) lease.release();
    await clock.advance(1_000);
    // The next window's ten slots: the quiet tenant's one call is among them, not after forty others.
    expect(granted.slice(10, 20)).toContain("quiet");
  });

  it("keeps any window-long span within the limit under a steady flood", async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(clock);
    const grants: number[] = [];
    for (let i = 0; i < 35; i++) {
      void budget.acquire([perSecond("k", 10)]).then((lease) => {
        grants.push(clock.now());
        lease.release();
      });
    }
    await clock.advance(5_000);
    expect(grants).toHaveLength(35);
    for (const start of grants) {
      expect(grants.filter((t) => t >= start && t < start + 1_000).length).toBeLessThanOrEqual(10);
    }
  });

  it("holds a player's slot without blocking other players (narrowest bucket first)", async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(clock);
    const player = (id: string): BucketSpec => ({ id: `player:${id}`, limit: 2, windowMs: 60_000 });
    const universe = perSecond("universe", 10);
    for (let i = 0; i < 2; i++) (await budget.acquire([player("a"), universe])).release();
    const third = track(budget, clock, [player("a"), universe]);
    const other = track(budget, clock, [player("b"), universe]);
    await settle();
    expect(third.grantedAt).toBeUndefined();
    expect(other.grantedAt).toBe(0);
    await clock.advance(60_000);
    expect(third.grantedAt).toBe(60_000);
  });

  it("estimates the wait a new call would face", async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(clock);
    const spec: BucketSpec = { id: "player:a", limit: 2, windowMs: 60_000 };
    expect(budget.waitEstimateMs(spec)).toBe(0);
    (await budget.acquire([spec])).release();
    await clock.advance(100);
    (await budget.acquire([spec])).release();
    await clock.advance(900);
    expect(budget.waitEstimateMs(spec)).toBe(59_000);
    await clock.advance(59_000);
    expect(budget.waitEstimateMs(spec)).toBe(0);
  });

  it("estimates a call still in flight as freeing its slot a window after it is answered", async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(clock);
    const spec = perSecond("k", 2);
    const first = await budget.acquire([spec]);
    await budget.acquire([spec]);
    expect(budget.waitEstimateMs(spec)).toBe(1_000);
    await clock.advance(500);
    expect(budget.waitEstimateMs(spec)).toBe(1_000);
    first.release();
    await clock.advance(300);
    expect(budget.waitEstimateMs(spec)).toBe(700);
  });

  it("estimates the wait behind the calls already queued, a window for each round of the limit", async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(clock);
    const one = perSecond("one", 1);
    (await budget.acquire([one])).release();
    for (let i = 0; i < 3; i++) track(budget, clock, [one]);
    // The three queued go at 1000, 2000 and 3000 at the earliest; a new call after them.
    expect(budget.waitEstimateMs(one)).toBe(4_000);

    const two = perSecond("two", 2);
    (await budget.acquire([two])).release();
    await clock.advance(100);
    (await budget.acquire([two])).release();
    track(budget, clock, [two]);
    // The queued call takes the slot freed at 1000; a new one gets the next, freed at 1100.
    expect(budget.waitEstimateMs(two)).toBe(1_000);
    for (let i = 0; i < 2; i++) track(budget, clock, [two]);
    // Both freed slots are spoken for: a window after the last of them.
    expect(budget.waitEstimateMs(two)).toBe(2_000);
  });

  it("releases a lease once, however often it is released", async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(clock);
    const spec = perSecond("k", 2);
    const lease = await budget.acquire([spec]);
    const held = await budget.acquire([spec]);
    lease.release();
    lease.release();
    await clock.advance(1_000);
    // The held call still counts: one slot is free, not two.
    const calls = [track(budget, clock, [spec]), track(budget, clock, [spec])];
    await settle();
    expect(calls.map((call) => call.grantedAt)).toEqual([1_000, undefined]);
    held.release();
    await clock.advance(1_000);
    expect(calls[1]?.grantedAt).toBe(2_000);
  });

  it("keeps counting a busy bucket while idle ones are dropped", async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(clock);
    const busy = perSecond("busy", 1);
    (await budget.acquire([busy])).release();
    // Enough calls on other buckets for the budget to drop idle buckets at least once.
    for (let i = 0; i < 300; i++) (await budget.acquire([perSecond(`player:${i}`, 1)])).release();
    const next = track(budget, clock, [busy]);
    await settle();
    expect(next.grantedAt).toBeUndefined();
    await clock.advance(1_000);
    expect(next.grantedAt).toBe(1_000);
  });

  it("frees each slot a window after its own answer, and wakes the next call then", async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(clock);
    const spec = perSecond("k", 2);
    (await budget.acquire([spec])).release();
    await clock.advance(500);
    (await budget.acquire([spec])).release();
    const calls = [track(budget, clock, [spec]), track(budget, clock, [spec]), track(budget, clock, [spec])];
    await clock.advance(1_500);
    expect(calls.map((call) => call.grantedAt)).toEqual([1_000, 1_500, undefined]);
  });

  it("estimates the calls in flight among the slots a queued call waits for", async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(clock);
    const spec = perSecond("k", 2);
    (await budget.acquire([spec])).release();
    await budget.acquire([spec]);
    track(budget, clock, [spec]);
    await clock.advance(500);
    // The queued call takes the slot answered at 0; the next one frees a window after the call in flight answers.
    expect(budget.waitEstimateMs(spec)).toBe(1_000);
  });

  it("estimates no wait again once its queue has drained and the window has passed", async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(clock);
    const spec = perSecond("k", 1);
    (await budget.acquire([spec])).release();
    const queued = track(budget, clock, [spec]);
    await clock.advance(1_000);
    queued.lease?.release();
    await clock.advance(1_000);
    expect(budget.waitEstimateMs(spec)).toBe(0);
  });

  it("never drops a bucket that has calls waiting on it", async () => {
    let now = 0;
    const stalled: Clock = { now: () => now, setTimer: () => () => undefined };
    const budget = new RateBudget(stalled);
    const spec = perSecond("k", 1);
    (await budget.acquire([spec])).release();
    let served = false;
    void budget.acquire([spec]).then(() => (served = true));
    // The slot frees, but no timer wakes the waiting call: the bucket is empty with a call in its queue.
    now = 1_000;
    for (let i = 0; i < 300; i++) (await budget.acquire([perSecond(`player:${i}`, 1)])).release();
    // A new call on the bucket lets the one that waited go first.
    void budget.acquire([spec]);
    await settle();
    expect(served).toBe(true);
  });

  it("serves calls already queued before a new one when a slot frees with no timer to wake them", async () => {
    let now = 0;
    // A clock whose timers never fire: time alone frees the slot.
    const stalled: Clock = { now: () => now, setTimer: () => () => undefined };
    const budget = new RateBudget(stalled);
    const spec = perSecond("k", 1);
    (await budget.acquire([spec])).release();
    const order: string[] = [];
    const queued = budget.acquire([spec]).then((lease) => {
      order.push("queued");
      return lease;
    });
    now = 1_000;
    expect(budget.waitEstimateMs(spec)).toBe(1_000);
    void budget.acquire([spec]).then(() => order.push("late"));
    await settle();
    // The new call found the slot free, but it belongs to the call that was waiting for it.
    expect(order).toEqual(["queued"]);
    expect(await queued).toBeDefined();
  });

  it("runs on the system clock with timers that can be cancelled", async () => {
    const before = Date.now();
    expect(systemClock.now()).toBeGreaterThanOrEqual(before);
    let cancelledFired = false;
    systemClock.setTimer(() => (cancelledFired = true), 1)();
    await new Promise<void>((resolve) => systemClock.setTimer(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(cancelledFired).toBe(false);
  });

  it("fails queued and later acquisitions once closed", async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(clock);
    await budget.acquire([perSecond("k", 1)]);
    const queued = track(budget, clock, [perSecond("k", 1)]);
    budget.close();
    await settle();
    expect(queued.error).toEqual(new Error("rate budget closed"));
    await expect(budget.acquire([perSecond("k", 1)])).rejects.toThrow("closed");
  });
});
