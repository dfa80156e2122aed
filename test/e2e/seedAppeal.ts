import { and, desc, eq, isNull } from "drizzle-orm";
import { appeals, cases } from "../../src/db/schema.js";
import type { Stack } from "./stack.js";

/**
 * Stores an appeal of a ban the test made (through /ban, in the local Open
 * Cloud) as the appeal page does: state open, not yet posted, dated by the
 * restriction's startTime, with Warden's latest applied ban case of that
 * target. Seeds data only; the page itself is tested on its own.
 */
export async function seedAppeal(
  stack: Pick<Stack, "database" | "roblox" | "guild">,
  appeal: { universeId: string; placeId?: string; userId: string; username: string; text: string },
): Promise<number> {
  const restriction = stack.roblox.restriction(appeal.universeId, appeal.userId, appeal.placeId);
  if (restriction?.active !== true || restriction.startTime === undefined) {
    throw new Error(`user ${appeal.userId} is not banned in ${appeal.universeId}: ban them with /ban first`);
  }
  const { db } = stack.database.handle;
  const [banCase] = await db
    .select({ id: cases.id })
    .from(cases)
    .where(
      and(
        eq(cases.guildId, stack.guild.id),
        eq(cases.action, "ban"),
        eq(cases.status, "applied"),
        eq(cases.universeId, appeal.universeId),
        appeal.placeId === undefined ? isNull(cases.placeId) : eq(cases.placeId, appeal.placeId),
        eq(cases.robloxUserId, appeal.userId),
      ),
    )
    .orderBy(desc(cases.createdAt))
    .limit(1);
  const [row] = await db
    .insert(appeals)
    .values({
      guildId: stack.guild.id,
      universeId: appeal.universeId,
      placeId: appeal.placeId ?? null,
      robloxUserId: appeal.userId,
      robloxUsername: appeal.username,
      banStartedAt: new Date(restriction.startTime),
      banCaseId: banCase?.id ?? null,
      text: appeal.text,
      submitterAddressHash: "seeded-by-test",
    })
    .returning({ id: appeals.id });
  if (row === undefined) throw new Error("the appeal insert returned no row");
  return row.id;
}
