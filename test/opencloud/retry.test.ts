import { describe, expect, it } from "vitest";
import {
  InvalidArgumentError,
  NotFoundError,
  PlayerUpdateLimitError,
  RateLimitedError,
  UnavailableError,
} from "../../src/opencloud/errors.js";
import { type RetryPolicy, backoffDelayMs, retryAfterFromHeaders, retryDelayMs, withRetries } from "../../src/opencloud/retry.js";

const policy = (overrides: Partial<RetryPolicy> = {}): RetryPolicy => ({
  maxRetries: 3,
  backoffBaseMs: 100,
  backoffMaxMs: 1_000,
  maxRetryAfterMs: 60_000,
  random: () => 0.999_999,
  ...overrides,
});

const operation = "groups.get" as const;

describe("backoffDelayMs", () => {
  it("doubles its ceiling per attempt up to the maximum", () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, policy()))).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it("jitters over the whole range", () => {
    expect(backoffDelayMs(3, policy({ random: () => 0 }))).toBe(0);
    expect(backoffDelayMs(3, policy({ random: () => 0.5 }))).toBe(400);
  });
});

describe("retryAfterFromHeaders", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");

  it("prefers retry-after in seconds, fractions included", () => {
    expect(retryAfterFromHeaders({ "retry-after": "2", "x-ratelimit-reset": "9" }, now)).toBe(2_000);
    expect(retryAfterFromHeaders({ "retry-after": "0.017" }, now)).toBe(17);
  });

  it("reads retry-after as an HTTP date", () => {
    expect(retryAfterFromHeaders({ "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" }, now)).toBe(3_000);
  });

  it("falls back to x-ratelimit-reset, then to nothing", () => {
    expect(retryAfterFromHeaders({ "x-ratelimit-reset": "4" }, now)).toBe(4_000);
    expect(retryAfterFromHeaders({ "x-ratelimit-reset": String(now / 1_000 + 5) }, now)).toBe(5_000);
    expect(retryAfterFromHeaders({}, now)).toBeUndefined();
    expect(retryAfterFromHeaders({ "retry-after": "soon", "x-ratelimit-reset": "later" }, now)).toBeUndefined();
  });
});

describe("retryDelayMs", () => {
  it("retries 5xx, network faults and timeouts with backoff", () => {
    for (const reason of ["server", "network", "timeout"] as const) {
      expect(retryDelayMs(new UnavailableError({ operation, reason }), 0, policy())).toBe(99);
    }
  });

  it("does not retry a closing client or any 4xx but 429", () => {
    expect(retryDelayMs(new UnavailableError({ operation, reason: "closed" }), 0, policy())).toBeUndefined();
    expect(retryDelayMs(new InvalidArgumentError({ operation, status: 400 }), 0, policy())).toBeUndefined();
    expect(retryDelayMs(new NotFoundError({ operation, status: 404 }), 0, policy())).toBeUndefined();
    expect(retryDelayMs(new TypeError("bug"), 0, policy())).toBeUndefined();
  });

  it("waits out a 429 for exactly what the headers said, or backs off without them", () => {
    expect(retryDelayMs(new RateLimitedError({ operation, status: 429, retryAfterMs: 1_234 }), 2, policy())).toBe(1_234);
    expect(retryDelayMs(new RateLimitedError({ operation, status: 429, retryAfterMs: undefined }), 1, policy())).toBe(199);
  });

  it("surfaces a 429 that asks for too long, and the planned player limit", () => {
    expect(retryDelayMs(new RateLimitedError({ operation, status: 429, retryAfterMs: 90_000 }), 0, policy())).toBeUndefined();
    expect(retryDelayMs(new PlayerUpdateLimitError({ operation, retryAfterMs: 10 }), 0, policy())).toBeUndefined();
  });
});

describe("withRetries", () => {
  const recordingHooks = () => {
    const slept: number[] = [];
    return { slept, hooks: { sleep: async (ms: number) => void slept.push(ms), onRetry: () => undefined } };
  };

  it("gives up after maxRetries and throws the last error", async () => {
    const { slept, hooks } = recordingHooks();
    let attempts = 0;
    const error = new UnavailableError({ operation, reason: "server", status: 503 });
    await expect(
      withRetries(policy(), hooks, async () => {
        attempts++;
        throw error;
      }),
    ).rejects.toBe(error);
    expect(attempts).toBe(4);
    expect(slept).toEqual([99, 199, 399]);
  });

  it("returns as soon as an attempt succeeds", async () => {
    const { hooks } = recordingHooks();
    const result = await withRetries(policy(), hooks, async (n) => {
      if (n < 2) throw new UnavailableError({ operation, reason: "network" });
      return n;
    });
    expect(result).toBe(2);
  });

  it("never retries a 4xx", async () => {
    const { slept, hooks } = recordingHooks();
    let attempts = 0;
    await expect(
      withRetries(policy(), hooks, async () => {
        attempts++;
        throw new NotFoundError({ operation, status: 404 });
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(attempts).toBe(1);
    expect(slept).toEqual([]);
  });
});
