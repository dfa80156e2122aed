import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "./connection.js";
import { guilds, moderatorPauses } from "./schema.js";

/** What the guard says of a member's next destructive action. */
export type GuardVerdict =
  | { verdict: "admitted" }
  /** Paused earlier, and not lifted since. */
  | { verdict: "paused"; pausedAt: Date }
  /** This action would pass the guild's limit: the member is paused from now. */
  | { verdict: "tripped"; actions: number; windowSeconds: number };

const countRow = z.object({ rows: z.array(z.object({ n: z.coerce.number() })).length(1) });

/**
 * Counts the member's destructive actions in the guild's window (bans, rank
 * changes and suspensions they made from Discord, a mass run counting once)
 * and pauses them when the next would pass the limit. Under a per-member
 * advisory lock, so one member's clicks in several processes are counted in turn.
 */
export async function admitDestructiveAction(db: Database, guildId: string, userId: string): Promise<GuardVerdict> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`warden-guard:${guildId}:${userId}`}))`);
    const [paused] = await tx
      .select({ pausedAt: moderatorPauses.pausedAt })
      .from(moderatorPauses)
      .where(and(eq(moderatorPauses.guildId, guildId), eq(moderatorPauses.userId, userId), isNull(moderatorPauses.liftedAt)));
    if (paused !== undefined) return { verdict: "paused", pausedAt: paused.pausedAt };

    const [settings] = await tx
      .select({ max: guilds.guardMaxActions, windowSeconds: guilds.guardWindowSeconds })
      .from(guilds)
      .where(eq(guilds.id, guildId));
    const { max, windowSeconds } = settings ?? { max: 10, windowSeconds: 60 };
    if (max === 0) return { verdict: "admitted" };
    // Counted from the window's start, or from the last lift if later: a member released starts afresh.
    const counted = countRow.parse(
      await tx.execute(sql`
        WITH since AS (
          SELECT greatest(now() - make_interval(secs => ${windowSeconds}),
                          coalesce((SELECT max(lifted_at) FROM moderator_pauses WHERE guild_id = ${guildId} AND user_id = ${userId}), '-infinity')) AS t
        )
        SELECT (SELECT count(*) FROM cases, since
                 WHERE guild_id = ${guildId} AND moderator_discord_id = ${userId} AND source = 'discord'
                   AND action::text IN ('ban', 'rank', 'suspend') AND bulk_run_id IS NULL AND created_at > since.t)
             + (SELECT count(*) FROM bulk_runs, since
                 WHERE guild_id = ${guildId} AND invoker_id = ${userId} AND action = 'ban' AND created_at > since.t) AS n`),
    );
    const actions = counted.rows[0]?.n ?? 0;
    if (actions < max) return { verdict: "admitted" };
    await tx.insert(moderatorPauses).values({ guildId, userId, actions }).onConflictDoNothing();
    return { verdict: "tripped", actions, windowSeconds };
  });
}

/** Lifts the member's pause; false when none was in force. */
export async function liftPause(db: Database, guildId: string, userId: string, liftedBy: string): Promise<boolean> {
  const lifted = await db
    .update(moderatorPauses)
    .set({ liftedBy, liftedAt: sql`now()` })
    .where(and(eq(moderatorPauses.guildId, guildId), eq(moderatorPauses.userId, userId), isNull(moderatorPauses.liftedAt)))
    .returning({ id: moderatorPauses.id });
  return lifted.length > 0;
}

/** The guild's limit: `maxActions` destructive actions per `windowSeconds` and member (0: off). */
export async function setGuard(db: Database, guildId: string, maxActions: number, windowSeconds: number): Promise<void> {
  await db
    .insert(guilds)
    .values({ id: guildId, guardMaxActions: maxActions, guardWindowSeconds: windowSeconds })
    .onConflictDoUpdate({ target: guilds.id, set: { guardMaxActions: maxActions, guardWindowSeconds: windowSeconds, updatedAt: sql`now()` } });
}
