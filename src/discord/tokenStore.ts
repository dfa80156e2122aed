import { randomBytes } from "node:crypto";

export interface StoredEntry<T> {
  invokerId: string;
  value: T;
  expiresAt: Date;
}

/**
 * Short-lived state behind a button, found by the token in its custom id: a
 * permanent ban waiting for its "yes", a list being paged. Kept in memory on
 * purpose: none of it is worth anything after a restart (nothing was done
 * yet), and the button then answers that it expired.
 */
export class TokenStore<T> {
  readonly #entries = new Map<string, StoredEntry<T>>();

  constructor(
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  add(invokerId: string, value: T): { token: string; expiresAt: Date } {
    this.#sweep();
    const token = randomBytes(12).toString("base64url");
    const expiresAt = new Date(this.now() + this.ttlMs);
    this.#entries.set(token, { invokerId, value, expiresAt });
    return { token, expiresAt };
  }

  /** The entry while it lasts; undefined once expired or deleted. */
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
    for (const [token, entry] of this.#entries) if (entry.expiresAt.getTime() <= now) this.#entries.delete(token);
  }
}
