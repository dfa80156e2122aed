import { randomBytes } from "node:crypto";

/**
 * Actions waiting for their invoker's "yes", by the token in the button id.
 * Kept in memory on purpose: a confirmation is worth nothing after a restart
 * (nothing was done yet), and the button then answers that it expired.
 */
export class PendingConfirmations<T> {
  readonly #pending = new Map<string, { invokerId: string; value: T; expiresAt: number }>();

  constructor(
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  add(invokerId: string, value: T): { token: string; expiresAt: Date } {
    this.#sweep();
    const token = randomBytes(12).toString("base64url");
    const expiresAt = this.now() + this.ttlMs;
    this.#pending.set(token, { invokerId, value, expiresAt });
    return { token, expiresAt: new Date(expiresAt) };
  }

  /**
   * The action, once, for its invoker; "expired" when it is gone or too old,
   * "not-yours" (and it stays) when someone else presses.
   */
  take(token: string, clickerId: string): { value: T } | "expired" | "not-yours" {
    const entry = this.#pending.get(token);
    if (entry === undefined || entry.expiresAt <= this.now()) {
      this.#pending.delete(token);
      return "expired";
    }
    if (entry.invokerId !== clickerId) return "not-yours";
    this.#pending.delete(token);
    return { value: entry.value };
  }

  #sweep() {
    const now = this.now();
    for (const [token, entry] of this.#pending) if (entry.expiresAt <= now) this.#pending.delete(token);
  }
}
