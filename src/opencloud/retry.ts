import { PlayerUpdateLimitError, RateLimitedError, UnavailableError } from "./errors.js";

export interface RetryPolicy {
  /** Retries after the first attempt; 0 disables retrying. */
  maxRetries: number;
  /** First backoff ceiling; tests shrink it to keep runs fast. */
  backoffBaseMs: number;
  /** No single backoff waits longer than this. */
  backoffMaxMs: number;
  /** A 429 asking for a longer wait than this is surfaced instead of slept on. */
  maxRetryAfterMs: number;
  random: () => number;
}

/** Exponential backoff with full jitter: uniform in [0, min(max, base * 2^attempt)). */
export function backoffDelayMs(attempt: number, policy: Pick<RetryPolicy, "backoffBaseMs" | "backoffMaxMs" | "random">): number {
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** attempt);
  return Math.floor(policy.random() * ceiling);
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * How long a 429 asks us to wait: `retry-after` (seconds or an HTTP date),
 * else `x-ratelimit-reset` (seconds until the quota refills), else undefined.
 */
export function retryAfterFromHeaders(headers: Headers, nowMs: number): number | undefined {
  const retryAfter = header(headers, "retry-after")?.trim();
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1_000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - nowMs);
  }
  const reset = Number(header(headers, "x-ratelimit-reset")?.trim() || Number.NaN);
  if (Number.isFinite(reset) && reset >= 0) {
    // The contract says seconds-until-reset; an epoch timestamp from some gateway would otherwise mean decades.
    const EPOCH_SECONDS_FLOOR = 1_000_000_000;
    return reset > EPOCH_SECONDS_FLOOR ? Math.max(0, reset * 1_000 - nowMs) : Math.ceil(reset * 1_000);
  }
  return undefined;
}

/** The wait before the next attempt, or undefined when the error must not be retried. */
export function retryDelayMs(error: unknown, attempt: number, policy: RetryPolicy): number | undefined {
  if (error instanceof UnavailableError) {
    return error.reason === "closed" ? undefined : backoffDelayMs(attempt, policy);
  }
  // The per-player limit is our own plan, raised before calling; only Roblox's 429s are waited out here.
  if (error instanceof RateLimitedError && !(error instanceof PlayerUpdateLimitError)) {
    if (error.retryAfterMs === undefined) return backoffDelayMs(attempt, policy);
    return error.retryAfterMs <= policy.maxRetryAfterMs ? error.retryAfterMs : undefined;
  }
  return undefined;
}

export interface RetryHooks {
  sleep(ms: number): Promise<void>;
  onRetry(error: unknown, attempt: number, delayMs: number): void;
}

/** Runs `attempt` until it succeeds, fails for good, or retries run out. */
export async function withRetries<T>(policy: RetryPolicy, hooks: RetryHooks, attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const delay = n < policy.maxRetries ? retryDelayMs(error, n, policy) : undefined;
      if (delay === undefined) throw error;
      hooks.onRetry(error, n, delay);
      await hooks.sleep(delay);
    }
  }
}
