/**
 * The budgets of openapi-subset.json (`x-roblox-rate-limits`) and CONTRACT.md,
 * enforced strictly.
 *
 * Windows are sliding logs, not fixed windows: a fixed window lets a client
 * send twice the budget across a boundary and pass, which would hide a client
 * that paces badly. With a sliding log, any `limit + 1` admitted calls inside
 * any window-long span is impossible, so over budget always means 429.
 *
 * Each operation has its own budget (the spec attaches one to every
 * operation), counted per key owner across all of that owner's keys. User
 * restrictions add a budget per universe (shared by every caller) and, for
 * updates, per player within a universe. `timeScale` divides every window.
 */
import { ApiError } from "./errors.js";

export interface Budget {
  limit: number;
  windowMs: number;
}

export interface OperationBudgets {
  perOwner?: Budget;
  perUniverse?: Budget;
  perUserInUniverse?: Budget;
}

const perSecond = (limit: number): Budget => ({ limit, windowMs: 1_000 });
const perMinute = (limit: number): Budget => ({ limit, windowMs: 60_000 });

export const OPERATION_BUDGETS = {
  "userRestrictions.get": { perOwner: perSecond(150), perUniverse: perSecond(50) },
  "userRestrictions.list": { perOwner: perSecond(150), perUniverse: perSecond(50) },
  "userRestrictions.update": { perOwner: perSecond(150), perUniverse: perSecond(10), perUserInUniverse: perMinute(2) },
  "userRestrictions.listLogs": { perOwner: perSecond(150), perUniverse: perSecond(50) },
  "users.get": { perOwner: perMinute(1_000) },
  "users.generateThumbnail": { perOwner: perMinute(1_000) },
  "users.getOperation": { perOwner: perMinute(1_000) },
  "groups.get": { perOwner: perMinute(150) },
  "groups.listJoinRequests": { perOwner: perMinute(300) },
  "groups.acceptJoinRequest": { perOwner: perMinute(100) },
  "groups.declineJoinRequest": { perOwner: perMinute(100) },
  "groups.listMemberships": { perOwner: perMinute(300) },
  "groups.updateMembership": { perOwner: perMinute(300) },
  "groups.assignRole": { perOwner: perMinute(300) },
  "groups.unassignRole": { perOwner: perMinute(300) },
  "groups.listRoles": { perOwner: perMinute(300) },
  "groups.getRole": { perOwner: perMinute(300) },
  "groups.auditLog": { perOwner: perMinute(100) },
  "universes.get": { perOwner: perMinute(100) },
  "universes.getPlace": { perOwner: perMinute(100) },
  // Introspection has no documented budget; the gateway still sees the call.
  "apiKeys.introspect": {},
} as const satisfies Record<string, OperationBudgets>;

export type OperationName = keyof typeof OPERATION_BUDGETS;

export interface RateSubject {
  operation: OperationName;
  ownerKey: string;
  universeId?: string;
  userId?: string;
}

interface Bucket {
  key: string;
  budget: Budget;
}

export class RateLimiter {
  private readonly log = new Map<string, number[]>();

  constructor(
    private readonly timeScale: number,
    private readonly now: () => number,
  ) {}

  /** Admits the call (recording it in every bucket) or throws 429; returns headers for the tightest bucket. */
  admit(subject: RateSubject): Record<string, string> {
    const now = this.now();
    const buckets = this.bucketsFor(subject);
    const states = buckets.map((bucket) => {
      const windowMs = bucket.budget.windowMs / this.timeScale;
      const hits = (this.log.get(bucket.key) ?? []).filter((time) => time > now - windowMs);
      this.log.set(bucket.key, hits);
      return { bucket, hits, windowMs };
    });
    const exhausted = states.filter((state) => state.hits.length >= state.bucket.budget.limit);
    if (exhausted.length > 0) {
      const worst = exhausted
        .map((state) => ({ state, resetMs: (state.hits[0] ?? now) + state.windowMs - now }))
        .reduce((a, b) => (b.resetMs > a.resetMs ? b : a));
      const reset = this.seconds(worst.resetMs);
      throw new ApiError("RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", {
        "x-ratelimit-limit": String(worst.state.bucket.budget.limit),
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": reset,
        "retry-after": reset,
      });
    }
    for (const state of states) state.hits.push(now);
    const tightest = states.reduce<(typeof states)[number] | undefined>(
      (best, state) =>
        best === undefined || state.bucket.budget.limit - state.hits.length < best.bucket.budget.limit - best.hits.length
          ? state
          : best,
      undefined,
    );
    if (tightest === undefined) return {};
    return {
      "x-ratelimit-limit": String(tightest.bucket.budget.limit),
      "x-ratelimit-remaining": String(tightest.bucket.budget.limit - tightest.hits.length),
      "x-ratelimit-reset": this.seconds((tightest.hits[0] ?? now) + tightest.windowMs - now),
    };
  }

  private bucketsFor(subject: RateSubject): Bucket[] {
    const budgets: OperationBudgets = OPERATION_BUDGETS[subject.operation];
    const buckets: Bucket[] = [];
    if (budgets.perOwner !== undefined) {
      buckets.push({ key: `owner|${subject.ownerKey}|${subject.operation}`, budget: budgets.perOwner });
    }
    if (budgets.perUniverse !== undefined && subject.universeId !== undefined) {
      buckets.push({ key: `universe|${subject.universeId}|${subject.operation}`, budget: budgets.perUniverse });
    }
    if (budgets.perUserInUniverse !== undefined && subject.universeId !== undefined && subject.userId !== undefined) {
      buckets.push({
        key: `player|${subject.universeId}|${subject.userId}|${subject.operation}`,
        budget: budgets.perUserInUniverse,
      });
    }
    return buckets;
  }

  /**
   * Whole seconds, rounded up, as Roblox sends them in real time. Scaled
   * windows are shorter than a second, so there the value keeps milliseconds
   * ("0.017"): rounding up to 1 would make every scaled test wait real seconds.
   */
  private seconds(ms: number): string {
    const positive = Math.max(ms, 0);
    if (this.timeScale === 1) return String(Math.ceil(positive / 1000));
    return String(Math.ceil(positive) / 1000);
  }
}
