interface Pending {
  attempt: () => boolean;
  fail: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

/**
 * Promises that settle when the emulator's state satisfies a check. Every state
 * change calls `notify`, so a waiter sees changes made before it was created too.
 */
export class Waiters {
  private readonly pending = new Set<Pending>();

  /** `check` returns the value once it is there, undefined to keep waiting, or throws to give up. */
  waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = {
        attempt: () => {
          let value: T | undefined;
          try {
            value = check();
          } catch (error) {
            entry.fail(error instanceof Error ? error : new Error(String(error)));
            return true;
          }
          if (value === undefined) return false;
          clearTimeout(entry.timer);
          this.pending.delete(entry);
          resolve(value);
          return true;
        },
        fail: (error) => {
          clearTimeout(entry.timer);
          this.pending.delete(entry);
          reject(error);
        },
      };
      if (entry.attempt()) return;
      this.pending.add(entry);
      entry.timer = setTimeout(() => entry.fail(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    });
  }

  notify(): void {
    for (const entry of [...this.pending]) entry.attempt();
  }

  rejectAll(reason: string): void {
    for (const entry of [...this.pending]) entry.fail(new Error(reason));
  }
}
