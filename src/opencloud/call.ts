import { createHash } from "node:crypto";
import type { z } from "zod";
import {
  OpenCloudError,
  PlayerUpdateLimitError,
  UnauthenticatedError,
  UnavailableError,
  UnexpectedResponseError,
  errorFromResponse,
} from "./errors.js";
import { type OperationName, type Window, operationInfo } from "./operations.js";
import { type BucketSpec, type Clock, RateBudget } from "./rateBudget.js";
import { type RetryPolicy, retryAfterFromHeaders, withRetries } from "./retry.js";
import type { SharedLedger } from "./sharedLedger.js";
import { SharedSlots } from "./sharedSlots.js";
import { type HttpMethod, Transport } from "./transport.js";

/** pino-compatible; only these two levels are used. */
export interface Logger {
  debug(context: object, message?: string): void;
  warn(context: object, message?: string): void;
}

/**
 * An API key as the client holds it. The secret sits in a private field behind
 * a getter, so logging or serialising a handle (or a resource holding one)
 * shows only the budget id.
 */
export class KeyHandle {
  readonly #secret: string;
  /** Budget identity: the key owner when known (Roblox counts per owner), else a fingerprint of the key. */
  readonly budgetId: string;

  constructor(
    apiKey: string,
    ownerId?: string,
    /** Whom the calls made with this handle are for; they take turns with other tenants' calls in a shared budget. */
    readonly tenant?: string,
  ) {
    this.#secret = apiKey.trim();
    this.budgetId = ownerId ? `owner:${ownerId}` : `key:${keyFingerprint(this.#secret)}`;
  }

  get secret(): string {
    return this.#secret;
  }
}

/** A short, irreversible id of a key: safe to log, to show, and to key budgets by. */
export function keyFingerprint(apiKey: string): string {
  return createHash("sha256").update(apiKey).digest("hex").slice(0, 12);
}

/**
 * What to do when this player's update budget (2/min per universe) is spent:
 * `"wait"` queues the call, `"throw"` raises PlayerUpdateLimitError at once,
 * `undefined` waits only up to the client's `playerLimitMaxWaitMs`.
 */
export type PlayerLimitPolicy = "wait" | "throw";

export type Host = "openCloud" | "users" | "thumbnails";

export interface CallSpec<T> {
  operation: OperationName;
  host: Host;
  method: HttpMethod;
  /** Path under the host, starting with `/`, ids already validated. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  key?: KeyHandle;
  /** A key sent in the body rather than the header (introspection): blanked out of error messages too. */
  bodySecret?: string;
  schema: z.ZodType<T>;
  /** For per-universe and per-player budgets. */
  universeId?: string;
  playerId?: string;
  playerLimit?: PlayerLimitPolicy;
  /** Whom a keyless call is for (a keyed call's tenant comes with its key); see RateBudget. */
  tenant?: string;
}

/** Told of every request on the wire and every retry, e.g. for metrics; must not throw. */
export interface CallObserver {
  /** `outcome` is the HTTP status, or why no status came back (`timeout`, `network`, `closed`). */
  attempted(call: { operation: OperationName; outcome: string; seconds: number }): void;
  retrying(call: { operation: OperationName; outcome: string }): void;
}

export interface CallerOptions {
  baseUrls: Record<Host, string>;
  timeoutMs: number;
  retry: RetryPolicy;
  timeScale: number;
  playerLimitMaxWaitMs: number;
  connectionsPerOrigin: number;
  clock: Clock;
  logger: Logger | undefined;
  observer: CallObserver | undefined;
  /** Budgets shared with other processes; undefined in a process that is alone (the embedded database). */
  sharedLedger: SharedLedger | undefined;
}

// Header values Roblox could ever issue; anything else (a pasted newline, a stray quote) cannot be sent.
const SENDABLE_KEY = /^[\x21-\x7e]+$/;

/** Budget → HTTP → error mapping → validation, retried as a whole. */
export class Caller {
  private readonly transport: Transport;
  private readonly budget: RateBudget;
  private readonly sharedSlots: SharedSlots | undefined;

  constructor(private readonly options: CallerOptions) {
    this.transport = new Transport({ timeoutMs: options.timeoutMs, connectionsPerOrigin: options.connectionsPerOrigin });
    this.budget = new RateBudget(options.clock);
    // Counted in flight for as long as the call may take: a process that dies mid-call cannot hold a slot longer.
    this.sharedSlots =
      options.sharedLedger === undefined ? undefined : new SharedSlots(options.sharedLedger, (ms) => this.sleep(ms), options.timeoutMs);
  }

  async call<T>(spec: CallSpec<T>): Promise<T> {
    if (spec.key && !SENDABLE_KEY.test(spec.key.secret)) {
      throw new UnauthenticatedError({ operation: spec.operation, robloxMessage: "the API key contains characters Roblox never issues" });
    }
    const buckets = this.bucketsFor(spec);
    const { logger } = this.options;
    return withRetries(
      this.options.retry,
      {
        sleep: (ms) => this.sleep(ms),
        onRetry: (error, attempt, delayMs) => {
          this.options.observer?.retrying({ operation: spec.operation, outcome: outcomeOf(error) });
          logger?.warn(
            { operation: spec.operation, attempt: attempt + 1, delayMs, status: statusOf(error), error: nameOf(error), key: spec.key?.budgetId },
            "retrying Open Cloud call",
          );
        },
      },
      async (attempt) => {
        // Only the first attempt may refuse: once a call went out, its retries must follow through.
        if (attempt === 0) this.checkPlayerLimit(spec, buckets);
        return this.attempt(spec, buckets);
      },
    );
  }

  /** A pause on the client's clock, for callers that poll (operations, re-reads after a write). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.options.clock.setTimer(resolve, ms));
  }

  get backoffBaseMs(): number {
    return this.options.retry.backoffBaseMs;
  }

  async close(): Promise<void> {
    this.budget.close();
    await this.transport.close();
  }

  private async attempt<T>(spec: CallSpec<T>, buckets: BucketSpec[]): Promise<T> {
    let lease;
    try {
      lease = await this.budget.acquire(buckets, spec.key?.tenant ?? spec.tenant);
    } catch {
      // The budget only refuses once the client is closing.
      throw new UnavailableError({ operation: spec.operation, reason: "closed" });
    }
    let slot: string | undefined;
    try {
      slot = await this.takeSharedSlot(buckets);
    } catch (error) {
      lease.release();
      throw error;
    }
    const started = this.options.clock.now();
    const attempted = (outcome: string) =>
      this.options.observer?.attempted({ operation: spec.operation, outcome, seconds: (this.options.clock.now() - started) / 1_000 });
    let result;
    try {
      result = await this.transport.send({
        operation: spec.operation,
        method: spec.method,
        url: this.url(spec),
        headers: this.headers(spec),
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
      });
    } catch (error) {
      attempted(outcomeOf(error));
      throw error;
    } finally {
      lease.release();
      if (slot !== undefined) this.answeredSharedSlot(buckets, slot);
    }
    attempted(String(result.status));
    this.options.logger?.debug(
      { operation: spec.operation, method: spec.method, path: spec.path, status: result.status, ms: this.options.clock.now() - started },
      "Open Cloud call",
    );
    if (result.status === 429) this.holdShared(buckets, retryAfterFromHeaders(result.headers, Date.now()));
    if (result.status < 200 || result.status >= 300) {
      throw errorFromResponse({
        operation: spec.operation,
        status: result.status,
        body: result.body,
        retryAfterMs: result.status === 429 ? retryAfterFromHeaders(result.headers, Date.now()) : undefined,
        secrets: [spec.key?.secret, spec.bodySecret],
      });
    }
    return this.parse(spec, result.status, result.body);
  }

  /** Waits until the shared ledger has room in every bucket, and takes it; undefined without a ledger. */
  private async takeSharedSlot(buckets: readonly BucketSpec[]): Promise<string | undefined> {
    if (this.sharedSlots === undefined || buckets.length === 0) return undefined;
    return this.sharedSlots.take(buckets);
  }

  /** Not awaited: the answer is in, and a late stamp only counts the slot a little longer. */
  private answeredSharedSlot(buckets: readonly BucketSpec[], slot: string): void {
    this.options.sharedLedger?.answered(buckets, slot).catch((error: unknown) => {
      this.options.logger?.warn({ err: error }, "could not stamp a shared budget slot; it expires by itself");
    });
  }

  /**
   * A 429 holds back every process on the buckets it can be about: a reset
   * longer than a bucket's window cannot come from that bucket (a 30 s wait
   * is a player's 2-a-minute, not the universe's 10-a-second), so those keep going.
   */
  private holdShared(buckets: readonly BucketSpec[], resetMs: number | undefined): void {
    const { sharedLedger } = this.options;
    if (sharedLedger === undefined || resetMs === undefined || resetMs <= 0) return;
    const held = buckets.filter((bucket) => bucket.windowMs >= resetMs);
    if (held.length === 0) return;
    sharedLedger.hold(held, resetMs).catch((error: unknown) => {
      this.options.logger?.warn({ err: error }, "could not share a 429's reset; other processes learn it from Roblox");
    });
  }

  private parse<T>(spec: CallSpec<T>, status: number, body: string): T {
    let json: unknown;
    try {
      // Accept and decline answer 200 with no body at all.
      json = body.trim() === "" ? {} : JSON.parse(body);
    } catch {
      throw new UnexpectedResponseError({ operation: spec.operation, status, problem: "the body is not JSON" });
    }
    const parsed = spec.schema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first ? `${first.path.join(".") || "body"}: ${first.message}` : "shape mismatch";
      throw new UnexpectedResponseError({ operation: spec.operation, status, problem: where });
    }
    return parsed.data;
  }

  private checkPlayerLimit(spec: CallSpec<unknown>, buckets: BucketSpec[]): void {
    const playerBucket = buckets.find((b) => b.id.startsWith("player:"));
    if (!playerBucket || spec.playerLimit === "wait") return;
    const waitMs = this.budget.waitEstimateMs(playerBucket);
    const bound = spec.playerLimit === "throw" ? 0 : this.options.playerLimitMaxWaitMs;
    if (waitMs > bound) throw new PlayerUpdateLimitError({ operation: spec.operation, retryAfterMs: waitMs });
  }

  /** Narrowest first (see RateBudget.acquire). */
  private bucketsFor(spec: CallSpec<unknown>): BucketSpec[] {
    const info = operationInfo(spec.operation);
    const op = spec.operation;
    const buckets: BucketSpec[] = [];
    if (info.perPlayer && spec.universeId && spec.playerId) {
      buckets.push(this.scaled(`player:${spec.universeId}:${spec.playerId}:${op}`, info.perPlayer));
    }
    if (info.perUniverse && spec.universeId) buckets.push(this.scaled(`universe:${spec.universeId}:${op}`, info.perUniverse));
    if (info.perKey && spec.key) buckets.push(this.scaled(`key:${spec.key.budgetId}:${op}`, info.perKey));
    if (info.perClient) buckets.push(this.scaled(`client:${op}`, info.perClient));
    return buckets;
  }

  private scaled(id: string, window: Window): BucketSpec {
    return { id, limit: window.limit, windowMs: window.windowMs / this.options.timeScale };
  }

  private url(spec: CallSpec<unknown>): URL {
    const base = this.options.baseUrls[spec.host].replace(/\/+$/, "");
    const url = new URL(base + spec.path);
    for (const [name, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url;
  }

  private headers(spec: CallSpec<unknown>): Record<string, string> {
    const headers: Record<string, string> = { accept: "application/json", "user-agent": "warden-opencloud" };
    if (spec.body !== undefined) headers["content-type"] = "application/json";
    if (spec.key) headers["x-api-key"] = spec.key.secret;
    return headers;
  }
}

/** The status Roblox answered, or why there was none. */
function outcomeOf(error: unknown): string {
  if (error instanceof UnavailableError && error.status === undefined) return error.reason;
  return String(statusOf(error) ?? nameOf(error));
}

function statusOf(error: unknown): number | undefined {
  return error instanceof OpenCloudError ? error.status : undefined;
}

function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
