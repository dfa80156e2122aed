import { insertAppeal, latestBanCaseId } from "../../src/db/appeals.js";
import type { Stack } from "./stack.js";

/**
 * Stores an appeal of a ban the test made (through /ban, in the local Open
 * Cloud) with the queries the appeal page uses: state open, not yet posted,
 * dated by the restriction's startTime, with Warden's latest applied ban case
 * of that target. Seeds data only; the page itself is tested on its own.
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
  const target = { guildId: stack.guild.id, universeId: appeal.universeId, placeId: appeal.placeId ?? null, robloxUserId: appeal.userId };
  const appealId = await insertAppeal(db, {
    ...target,
    robloxUsername: appeal.username,
    banStartedAt: new Date(restriction.startTime),
    banCaseId: await latestBanCaseId(db, target),
    text: appeal.text,
    submitterAddressHash: "seeded-by-test",
  });
  if (appealId === undefined) throw new Error(`user ${appeal.userId} already has an open appeal of this ban`);
  return appealId;
}
