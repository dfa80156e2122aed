/**
 * Runs `work` over `items` with at most `limit` in flight. Enough in flight
 * keeps a rate budget's queue full (the Open Cloud client does the pacing);
 * a bounded number keeps a wave of thousands from opening thousands of calls.
 */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
