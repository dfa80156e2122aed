import { and, count, desc, eq, gt, lte, notInArray, sql } from "drizzle-orm";
import type { Database } from "./connection.js";
import { pendingButtons, type PendingButtonKind } from "./schema.js";

export interface PendingButtonLimits {
  /** Entries of one kind one member may hold at once; a further one replaces their oldest. */
  perInvoker: number;
  /** Entries of one kind in all; a further one is refused until some expire. */
  total: number;
}

export interface NewPendingButton {
  token: string;
  kind: PendingButtonKind;
  guildId: string;
  invokerId: string;
  value: unknown;
  ttlMs: number;
}

/**
 * Stores an entry within the limits, by the database's clock: the kind's
 * expired entries are swept first, then the member's oldest of this kind
 * past their share. Resolves to its expiry, or to undefined when the kind is
 * full.
 *
 * Adds of one kind take turns on a transaction-scoped advisory lock, so the
 * limits hold across processes adding at once; the lock ends with the
 * transaction, so a process that dies mid-add leaves nothing held. Each add
 * deletes only rows of its own kind, so adds of two kinds never wait on each
 * other's rows.
 */
export async function addPendingButton(db: Database, entry: NewPendingButton, limits: PendingButtonLimits): Promise<Date | undefined> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`warden:pending_buttons:${entry.kind}`}))`);
    await tx.delete(pendingButtons).where(and(eq(pendingButtons.kind, entry.kind), lte(pendingButtons.expiresAt, sql`now()`)));
    const ofMember = and(eq(pendingButtons.kind, entry.kind), eq(pendingButtons.invokerId, entry.invokerId));
    const kept = tx
      .select({ token: pendingButtons.token })
      .from(pendingButtons)
      .where(ofMember)
      .orderBy(desc(pendingButtons.createdAt), desc(pendingButtons.token))
      .limit(limits.perInvoker - 1);
    await tx.delete(pendingButtons).where(and(ofMember, notInArray(pendingButtons.token, kept)));
    const [held] = await tx.select({ entries: count() }).from(pendingButtons).where(eq(pendingButtons.kind, entry.kind));
    // Never full after replacing one of the member's own: a refusal has taken nothing from them.
    if ((held?.entries ?? 0) >= limits.total) return undefined;
    const [stored] = await tx
      .insert(pendingButtons)
      .values({
        token: entry.token,
        kind: entry.kind,
        guildId: entry.guildId,
        invokerId: entry.invokerId,
        value: entry.value,
        expiresAt: sql`now() + make_interval(secs => ${entry.ttlMs / 1000})`,
      })
      .returning({ expiresAt: pendingButtons.expiresAt });
    if (stored === undefined) throw new Error("The pending button insert returned no row.");
    return stored.expiresAt;
  });
}

/** The entry of this kind while it lasts, in the guild that made it; undefined otherwise. */
export async function readPendingButton(
  db: Database,
  target: { token: string; kind: PendingButtonKind; guildId: string },
): Promise<{ invokerId: string; value: unknown } | undefined> {
  const [row] = await db
    .select({ invokerId: pendingButtons.invokerId, value: pendingButtons.value })
    .from(pendingButtons)
    .where(and(...matching(target), gt(pendingButtons.expiresAt, sql`now()`)));
  return row;
}

/**
 * Removes the entry and returns its value, only for its own member, in its
 * guild, while it lasts. One conditional DELETE ... RETURNING: of any number
 * of simultaneous clicks, in any processes, exactly one gets the value.
 */
export async function takePendingButton(
  db: Database,
  target: { token: string; kind: PendingButtonKind; guildId: string; invokerId: string },
): Promise<{ value: unknown } | undefined> {
  const [row] = await db
    .delete(pendingButtons)
    .where(and(...matching(target), eq(pendingButtons.invokerId, target.invokerId), gt(pendingButtons.expiresAt, sql`now()`)))
    .returning({ value: pendingButtons.value });
  return row;
}

export async function deletePendingButton(db: Database, target: { token: string; kind: PendingButtonKind; guildId: string }): Promise<void> {
  await db.delete(pendingButtons).where(and(...matching(target)));
}

function matching(target: { token: string; kind: PendingButtonKind; guildId: string }) {
  return [eq(pendingButtons.token, target.token), eq(pendingButtons.kind, target.kind), eq(pendingButtons.guildId, target.guildId)];
}
