import type { Clock } from "../../src/opencloud/rateBudget.js";

/** A clock that moves only when told to, running due timers in order. */
export class FakeClock implements Clock {
  private time = 0;
  private nextId = 0;
  private timers: { id: number; at: number; callback: () => void }[] = [];

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, ms: number): () => void {
    const id = this.nextId++;
    this.timers.push({ id, at: this.time + ms, callback });
    return () => {
      this.timers = this.timers.filter((timer) => timer.id !== id);
    };
  }

  /** Moves time forward by `ms`, firing each due timer at its own instant and letting promises settle. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.time = Math.max(this.time, due.at);
      due.callback();
    }
    this.time = target;
    await settle();
  }
}

/** Lets every already-resolved promise chain run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
