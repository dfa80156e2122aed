import { describe, expect, it } from "vitest";
import { forEachConcurrently } from "../../src/services/concurrently.js";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("forEachConcurrently", () => {
  it("keeps at most `limit` in flight and does every item once", async () => {
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    await forEachConcurrently(
      Array.from({ length: 50 }, (_, index) => index),
      7,
      async (item) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await tick();
        done.push(item);
        inFlight -= 1;
      },
    );
    expect(most).toBe(7);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, index) => index));
  });

  it("starts on the first page of a paginated source before the last is read", async () => {
    const events: string[] = [];
    async function* pages() {
      for (const page of [1, 2]) {
        events.push(`read page ${page}`);
        await tick();
        yield* [`${page}a`, `${page}b`];
      }
    }
    await forEachConcurrently(pages(), 2, async (item) => {
      events.push(`work ${item}`);
      await tick();
      await tick();
    });
    expect(events.indexOf("work 1a")).toBeLessThan(events.indexOf("read page 2"));
    expect(events.filter((event) => event.startsWith("work"))).toHaveLength(4);
  });

  it("after a failure takes nothing new, lets what is in flight finish, closes the source, then throws", async () => {
    const finished: number[] = [];
    let closed = false;
    let settledBeforeThrow = false;
    async function* items() {
      try {
        for (let item = 0; item < 100; item += 1) yield item;
      } finally {
        closed = true;
      }
    }
    const run = forEachConcurrently(items(), 3, async (item) => {
      if (item === 1) throw new Error("Discord is down");
      await tick();
      await tick();
      finished.push(item);
      settledBeforeThrow = finished.length === 2;
    });
    await expect(run).rejects.toThrow("Discord is down");
    expect(finished.sort()).toEqual([0, 2]);
    expect(settledBeforeThrow).toBe(true);
    expect(closed).toBe(true);
  });
});
