import { describe, expect, it } from "vitest";
import { TtlCache } from "../../src/services/ttlCache.js";

describe("ttl cache", () => {
  const counting = () => {
    const loads: string[] = [];
    return { loads, load: (key: string) => () => (loads.push(key), Promise.resolve(key.toUpperCase())) };
  };

  it("keeps an entry for its time and loads it again after", async () => {
    let now = 0;
    const cache = new TtlCache<string>({ ttlMs: 1_000, maxEntries: 10 }, () => now);
    const { loads, load } = counting();
    expect(await cache.get("a", load("a"))).toBe("A");
    now = 999;
    expect(await cache.get("a", load("a"))).toBe("A");
    now = 1_000;
    await cache.get("a", load("a"));
    expect(loads).toEqual(["a", "a"]);
  });

  it("holds at most maxEntries, dropping the oldest first", async () => {
    const cache = new TtlCache<string>({ ttlMs: 1_000, maxEntries: 2 }, () => 0);
    const { loads, load } = counting();
    for (const key of ["a", "b", "c", "b", "a"]) await cache.get(key, load(key));
    expect(loads).toEqual(["a", "b", "c", "a"]);
  });

  it("forgets a failed load, so the next ask tries again", async () => {
    const cache = new TtlCache<string>({ ttlMs: 1_000, maxEntries: 2 }, () => 0);
    await expect(cache.get("a", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(await cache.get("a", () => Promise.resolve("up"))).toBe("up");
  });
});
