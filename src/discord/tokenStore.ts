import { randomBytes } from "node:crypto";
import type { z } from "zod";
import type { Database } from "../db/connection.js";
import {
  addPendingButton,
  deletePendingButton,
  readPendingButton,
  takePendingButton,
  type PendingButtonLimits,
} from "../db/pendingButtons.js";
import type { PendingButtonKind } from "../db/schema.js";
import { UserError } from "../services/userError.js";

export interface StoredEntry<T> {
  invokerId: string;
  value: T;
}

/**
 * Enough for a moderator working several lists or confirmations side by side,
 * and for a busy deployment; a flood of clicks stays a few thousand small
 * rows at most.
 */
const DEFAULT_LIMITS: PendingButtonLimits = { perInvoker: 5, total: 5_000 };

/**
 * Short-lived state behind a button, found by the token in its custom id: a
 * permanent ban waiting for its "yes", a list being paged. Kept in the
 * database (`pending_buttons`), so a click after a restart, or one that
 * reaches another process, finds it until the button's own expiry.
 *
 * A token is good only in the guild that made it: elsewhere it reads as
 * though it never existed. A value is read back through the kind's schema,
 * since another version of the bot may have written it; one that does not
 * fit reads as expired rather than being acted on half-understood.
 *
 * Bounded both ways. A member past their share loses their own oldest entry:
 * they have moved on from it, and its button answers that it expired. Past
 * the total, a new entry is refused instead of evicting another's: evicting
 * would let the members of one guild silently cancel the pending
 * confirmations of another, while refusing costs only the newcomer a retry
 * once the oldest entries expire.
 */
export class TokenStore<T> {
  constructor(
    private readonly db: Database,
    private readonly kind: PendingButtonKind,
    private readonly schema: z.ZodType<T>,
    private readonly ttlMs: number,
    private readonly limits: PendingButtonLimits = DEFAULT_LIMITS,
  ) {}

  async add(guildId: string, invokerId: string, value: T): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(12).toString("base64url");
    const expiresAt = await addPendingButton(this.db, { token, kind: this.kind, guildId, invokerId, value, ttlMs: this.ttlMs }, this.limits);
    if (expiresAt === undefined) {
      throw new UserError("Warden is holding too many pending buttons right now. Try again in a few minutes.");
    }
    return { token, expiresAt };
  }

  /** The entry while it lasts, in its own guild; undefined once expired, replaced, taken or elsewhere. */
  async get(token: string, guildId: string): Promise<StoredEntry<T> | undefined> {
    const row = await readPendingButton(this.db, { token, kind: this.kind, guildId });
    const value = this.#parse(row?.value);
    return row === undefined || value === undefined ? undefined : { invokerId: row.invokerId, value };
  }

  /**
   * Removes the entry for its own member and returns its value: done before
   * acting on it, so of two clicks (in one process or two) only one acts.
   */
  async take(token: string, guildId: string, invokerId: string): Promise<T | undefined> {
    const row = await takePendingButton(this.db, { token, kind: this.kind, guildId, invokerId });
    return this.#parse(row?.value);
  }

  async delete(token: string, guildId: string): Promise<void> {
    await deletePendingButton(this.db, { token, kind: this.kind, guildId });
  }

  #parse(value: unknown): T | undefined {
    if (value === undefined) return undefined;
    const parsed = this.schema.safeParse(value);
    return parsed.success ? parsed.data : undefined;
  }
}
