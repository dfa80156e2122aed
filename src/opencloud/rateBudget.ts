/**
 * Plans calls against Roblox's documented limits so that 429s stay rare.
 *
 * Each bucket is a sliding window with a queue of waiting calls. A slot is
 * held from the moment a call is let through until its response arrives,
 * and stays counted for a whole window after that: Roblox counts a request
 * somewhere between our send and its answer, so stamping the answer time is
 * the only stamp that cannot undercount when latency varies.
 *
 * A bucket can be shared by several tenants (whoever the caller works for:
 * one universe's budget serves every party that moderates it). Their waiting
 * calls take turns, one call per tenant in rotation, first come first served
 * within a tenant: a tenant that queued fifty calls cannot make another's
 * single call wait behind all fifty.
 */

export interface Clock {
  now(): number;
  /** Runs `callback` after `ms`; returns a function that cancels it. */
  setTimer(callback: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, ms) {
    // Not unref'd: a script whose only work is a queued call must stay alive until it runs.
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

export interface BucketSpec {
  /** Identifies what is counted, e.g. `key:abc:userRestrictions.update`. */
  id: string;
  limit: number;
  windowMs: number;
}

export interface Lease {
  /** Call once the response (or the failure) is in; later calls do nothing. */
  release(): void;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Calls that did not name a tenant share this one. */
const NO_TENANT = "";

/** Waiters in per-tenant queues, served round robin across tenants and in order within one. */
class FairQueue {
  /** In turn order: the tenant served next comes first, and goes to the back once served. */
  private readonly byTenant = new Map<string, Waiter[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(tenant: string, waiter: Waiter): void {
    const queue = this.byTenant.get(tenant);
    if (queue === undefined) this.byTenant.set(tenant, [waiter]);
    else queue.push(waiter);
    this.count++;
  }

  shift(): Waiter | undefined {
    const next = this.byTenant.entries().next();
    if (next.done === true) return undefined;
    const [tenant, queue] = next.value;
    const waiter = queue.shift();
    this.byTenant.delete(tenant);
    if (queue.length > 0) this.byTenant.set(tenant, queue);
    this.count--;
    return waiter;
  }

  drain(): Waiter[] {
    const all = [...this.byTenant.values()].flat();
    this.byTenant.clear();
    this.count = 0;
    return all;
  }
}

class Bucket {
  /** Answer times of finished calls that still count against the window. */
  private finished: number[] = [];
  private inFlight = 0;
  private readonly waiters = new FairQueue();
  private cancelTimer: (() => void) | undefined;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  take(tenant: string): Promise<void> {
    if (this.waiters.size === 0 && this.used(this.clock.now()) < this.limit) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.waiters.push(tenant, { resolve, reject });
      this.pump();
    });
  }

  release(): void {
    this.inFlight--;
    this.finished.push(this.clock.now());
    this.pump();
  }

  /** When a call queued now would be let through, as a wait from now, counting every waiter as ahead of it. */
  waitEstimateMs(): number {
    const now = this.clock.now();
    const used = this.used(now);
    if (this.waiters.size === 0 && used < this.limit) return 0;
    // A call still in flight frees its slot a window after it ends, which is at least a window from now.
    const frees = [...this.finished.map((t) => t + this.windowMs), ...Array<number>(this.inFlight).fill(now + this.windowMs)];
    frees.sort((a, b) => a - b);
    const position = this.waiters.size + used - this.limit;
    const known = frees[position];
    if (known !== undefined) return Math.max(0, known - now);
    const last = frees[frees.length - 1] ?? now;
    const extraWindows = Math.ceil((position - frees.length + 1) / this.limit);
    return Math.max(0, last - now + extraWindows * this.windowMs);
  }

  isIdle(): boolean {
    return this.waiters.size === 0 && this.used(this.clock.now()) === 0;
  }

  rejectAll(error: unknown): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    for (const waiter of this.waiters.drain()) waiter.reject(error);
  }

  private used(now: number): number {
    const cutoff = now - this.windowMs;
    if (this.finished.some((t) => t <= cutoff)) this.finished = this.finished.filter((t) => t > cutoff);
    return this.finished.length + this.inFlight;
  }

  private pump(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const now = this.clock.now();
    while (this.waiters.size > 0 && this.used(now) < this.limit) {
      this.inFlight++;
      this.waiters.shift()?.resolve();
    }
    if (this.waiters.size === 0 || this.finished.length === 0) return;
    // Otherwise every slot is in flight, and the next release() pumps.
    const oldest = Math.min(...this.finished);
    this.cancelTimer = this.clock.setTimer(() => this.pump(), Math.max(1, oldest + this.windowMs - now));
  }
}

/** Idle buckets are dropped every this many acquisitions, so per-player buckets do not pile up. */
const SWEEP_EVERY = 256;

export class RateBudget {
  private readonly buckets = new Map<string, Bucket>();
  private acquisitions = 0;
  private closed = false;

  constructor(private readonly clock: Clock = systemClock) {}

  /**
   * Waits for a slot in every bucket, in the order given. Put the narrowest
   * bucket first: a slot taken early is held while later ones are awaited,
   * and holding a player's slot blocks nobody else. Where calls wait, those
   * of different tenants take turns.
   */
  async acquire(specs: readonly BucketSpec[], tenant: string = NO_TENANT): Promise<Lease> {
    if (this.closed) throw new Error("rate budget closed");
    if (++this.acquisitions % SWEEP_EVERY === 0) this.sweep();
    const taken: Bucket[] = [];
    try {
      for (const spec of specs) {
        const bucket = this.bucket(spec);
        await bucket.take(tenant);
        taken.push(bucket);
      }
    } catch (error) {
      for (const bucket of taken) bucket.release();
      throw error;
    }
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        for (const bucket of taken) bucket.release();
      },
    };
  }

  /** How long a call acquiring `spec` now would wait for it alone. */
  waitEstimateMs(spec: BucketSpec): number {
    return this.buckets.get(spec.id)?.waitEstimateMs() ?? 0;
  }

  /** Fails every queued call, and every later acquire too. */
  close(): void {
    this.closed = true;
    const error = new Error("rate budget closed");
    for (const bucket of this.buckets.values()) bucket.rejectAll(error);
    this.buckets.clear();
  }

  private bucket(spec: BucketSpec): Bucket {
    let bucket = this.buckets.get(spec.id);
    if (!bucket) {
      bucket = new Bucket(spec.limit, spec.windowMs, this.clock);
      this.buckets.set(spec.id, bucket);
    }
    return bucket;
  }

  private sweep(): void {
    for (const [id, bucket] of this.buckets) if (bucket.isIdle()) this.buckets.delete(id);
  }
}
