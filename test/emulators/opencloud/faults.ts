/**
 * Failures a client must survive, injected at runtime: answers of 500/503,
 * connections reset before any answer, slow answers, and the nastiest one,
 * a write that is applied and then answered 500 (a retry with the same
 * idempotency key must then not apply twice). Every other fault happens before
 * the handler runs, so nothing is half-applied silently.
 *
 * A seeded generator makes a run repeatable: each request draws the same
 * number of values whatever the settings, so the n-th request of a run always
 * meets the same fate for the same seed and rates.
 */

export interface FaultSettings {
  /** Share of requests answered 500 or 503 (half each) without being handled. */
  errorRate: number;
  /** Share of requests whose socket is destroyed without an answer, before handling. */
  resetRate: number;
  /** Delay before every answer. */
  delayMs: number;
  /** Share of writes that are applied and then answered 500. */
  applyThenFailRate: number;
}

export interface FaultDecision {
  before: "reset" | 500 | 503 | undefined;
  applyThenFail: boolean;
  delayMs: number;
}

/** mulberry32: small, fast, and good enough to spread faults evenly. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class FaultInjector {
  private readonly random: () => number;
  private settings: FaultSettings = { errorRate: 0, resetRate: 0, delayMs: 0, applyThenFailRate: 0 };

  constructor(seed: number) {
    this.random = generator(seed);
  }

  set(changes: Partial<FaultSettings>): void {
    for (const name of ["errorRate", "resetRate", "applyThenFailRate"] as const) {
      const rate = changes[name];
      if (rate !== undefined && !(rate >= 0 && rate <= 1)) throw new Error(`${name} must be within 0..1`);
    }
    if (changes.delayMs !== undefined && !(changes.delayMs >= 0)) throw new Error("delayMs must be >= 0");
    this.settings = { ...this.settings, ...changes };
  }

  current(): FaultSettings {
    return { ...this.settings };
  }

  decide(): FaultDecision {
    const resetDraw = this.random();
    const errorDraw = this.random();
    const statusDraw = this.random();
    const applyDraw = this.random();
    const { resetRate, errorRate, applyThenFailRate, delayMs } = this.settings;
    let before: FaultDecision["before"];
    if (resetDraw < resetRate) before = "reset";
    else if (errorDraw < errorRate) before = statusDraw < 0.5 ? 500 : 503;
    return { before, applyThenFail: applyDraw < applyThenFailRate, delayMs };
  }
}
