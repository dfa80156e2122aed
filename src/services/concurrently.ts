/**
 * Runs `work` over `items` with at most `limit` in flight. Enough in flight
 * keeps a rate budget's queue full (the Open Cloud client does the pacing);
 * a bounded number keeps a wave of thousands from opening thousands of calls.
 *
 * `items` may be produced as the work goes (a paginated listing), so the
 * first item is worked on before the last is known. After the first failure
 * no new item is taken: what is in flight finishes, the source is closed
 * (a generator's `finally` can hand back what it had claimed), and the
 * failure is thrown once everything has settled, never while work still runs.
 */
export async function forEachConcurrently<T>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const source = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined) {
      const next = await source.next();
      if (next.done) return;
      await work(next.value);
    }
  };
  const workers = Array.from({ length: limit }, () =>
    worker().catch((error: unknown) => {
      failure ??= { error };
    }),
  );
  await Promise.all(workers);
  if (failure === undefined) return;
  await source.return?.();
  throw failure.error;
}
