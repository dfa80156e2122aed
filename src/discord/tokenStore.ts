import { randomBytes } from "node:crypto";
import { UserError } from "../services/userError.js";

export interface StoredEntry<T> {
  invokerId: string;
  value: T;
  expiresAt: Date;
}

export interface TokenStoreLimits {
  /** Entries one member may hold at once; a further one replaces their oldest. */
  perInvoker: number;
  /** Entries in all; a further one is refused until some expire. */
  total: number;
}

/**
 * Enough for a moderator working several lists or confirmations side by side,
 * and for a busy deployment; a flood of clicks stays a few thousand small
 * objects at most.
 */
const DEFAULT_LIMITS: TokenStoreLimits = { perInvoker: 5, total: 5_000 };

/**
 * Short-lived state behind a button, found by the token in its custom id: a
 * permanent ban waiting for its "yes", a list being paged. Kept in memory on
 * purpose: none of it is worth anything after a restart (nothing was done
 * yet), and the button then answers that it expired.
 *
 * Bounded both ways. A member past their share loses their own oldest entry:
 * they have moved on from it, and its button answers that it expired. Past
 * the total, a new entry is refused instead of evicting another's: evicting
 * would let the members of one guild silently cancel the pending
 * confirmations of another, while refusing costs only the newcomer a retry
 * once the oldest entries expire.
 */
export class TokenStore<T> {
  /** In insertion order, which is expiry order: every entry lives `ttlMs`. */
  readonly #entries = new Map<string, StoredEntry<T>>();

  constructor(
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly limits: TokenStoreLimits = DEFAULT_LIMITS,
  ) {}

  add(invokerId: string, value: T): { token: string; expiresAt: Date } {
    this.#sweep();
    // Room for the new entry: the member's oldest go first (insertion order is age order).
    const own = [...this.#entries].filter(([, entry]) => entry.invokerId === invokerId).map(([token]) => token);
    const excess = own.length - (this.limits.perInvoker - 1);
    for (const token of own.slice(0, Math.max(0, excess))) this.#entries.delete(token);
    if (this.#entries.size >= this.limits.total) {
      throw new UserError("Warden is holding too many pending buttons right now. Try again in a few minutes.");
    }
    const token = randomBytes(12).toString("base64url");
    const expiresAt = new Date(this.now() + this.ttlMs);
    this.#entries.set(token, { invokerId, value, expiresAt });
    return { token, expiresAt };
  }

  /** The entry while it lasts; undefined once expired, replaced or deleted. */
  get(token: string): StoredEntry<T> | undefined {
    const entry = this.#entries.get(token);
    if (entry !== undefined && entry.expiresAt.getTime() > this.now()) return entry;
    this.#entries.delete(token);
    return undefined;
  }

  delete(token: string): void {
    this.#entries.delete(token);
  }

  #sweep() {
    const now = this.now();
    for (const [token, entry] of this.#entries) {
      if (entry.expiresAt.getTime() > now) return;
      this.#entries.delete(token);
    }
  }
}
