import {
  claimAppealForAccept,
  declineOpenAppeal,
  findAcceptUnbanCase,
  findAppeal,
  listStaleAcceptingAppeals,
  markAppealAccepted,
  reopenAppeal,
  type AppealRow,
} from "../../db/appeals.js";
import type { CaseRow } from "../../db/cases.js";
import type { Database } from "../../db/connection.js";
import type { WorkScope } from "../../shards.js";
import { exactPlayer } from "../moderation/resolvePlayer.js";
import { applyChange, prepareUnban, type ModerationDeps } from "../moderation/restrictions.js";
import type { AppealBoard, AppealDecision } from "../ports.js";
import { UserError } from "../userError.js";

/** The longest answer staff may give a player whose appeal they decline: a few sentences, read on a phone. */
export const APPEAL_ANSWER_MAX = 1_000;

export interface AppealRequest {
  guildId: string;
  appealId: number;
  actorId: string;
}

export type AcceptResult =
  | { outcome: "accepted"; decision: AppealDecision }
  /** The unban did not happen; the appeal is open again and nothing is lost. */
  | { outcome: "failed"; reason: string };

/**
 * Accepts an appeal exactly once: one conditional UPDATE claims it (of any
 * number of clicks, one goes on), then the player is unbanned through the
 * same workflow as /unban (a case recorded before the call, verified, the
 * mod log), and the appeal is accepted with that case. An unban that does
 * not happen gives the claim back.
 */
export async function acceptAppeal(deps: ModerationDeps, request: AppealRequest): Promise<AcceptResult> {
  const claimed = await claimAppealForAccept(deps.db, request.guildId, request.appealId, request.actorId);
  if (claimed === undefined) throw new UserError(await whyNotOpen(deps.db, request));
  let unban;
  try {
    const change = await prepareUnban(deps, {
      guildId: request.guildId,
      moderatorId: request.actorId,
      player: exactPlayer(claimed.robloxUserId),
      experience: claimed.universeId,
      placeId: claimed.placeId ?? undefined,
      reason: `Appeal #${claimed.id} accepted`,
    });
    unban = await applyChange(deps, change);
  } catch (error) {
    await reopenAppeal(deps.db, claimed.id);
    if (error instanceof UserError) return { outcome: "failed", reason: error.message };
    throw error;
  }
  if (unban.failure !== undefined) {
    await reopenAppeal(deps.db, claimed.id);
    return { outcome: "failed", reason: unban.failure };
  }
  return { outcome: "accepted", decision: acceptedWith(await markAppealAccepted(deps.db, claimed.id, unban.row), unban.row) };
}

/** Declines an open appeal once, with the answer the player reads on the appeal page. */
export async function declineAppeal(db: Database, request: AppealRequest & { answer: string }): Promise<AppealDecision> {
  const publicAnswer = checkAnswer(request.answer);
  const declined = await declineOpenAppeal(db, { ...request, publicAnswer });
  if (declined === undefined) throw new UserError(await whyNotOpen(db, request));
  return { state: "declined", decidedBy: declined.decidedBy, decidedAt: declined.decidedAt ?? new Date(), publicAnswer };
}

/** Refuses, before the answer is asked for, a Decline of an appeal already decided or of another server. */
export async function checkOpen(db: Database, request: Pick<AppealRequest, "guildId" | "appealId">): Promise<void> {
  const appeal = await findAppeal(db, request.guildId, request.appealId);
  if (appeal?.state !== "open") throw new UserError(await whyNotOpen(db, request));
}

export function checkAnswer(answer: string): string {
  const trimmed = answer.trim();
  if (trimmed === "") throw new UserError("Write the answer the player will read: why the appeal is declined. Nothing was decided.");
  const length = [...trimmed].length;
  if (length > APPEAL_ANSWER_MAX) {
    throw new UserError(`The answer is ${length} characters long; at most ${APPEAL_ANSWER_MAX} fit. Nothing was decided.`);
  }
  return trimmed;
}

/**
 * Settles Accept claims a process left behind (it died between the claim
 * and the appeal's outcome), in the scope's guilds, once they are a minute
 * old: from the unban case the claim led to. A pending case is left to the
 * takeover that settles it; an applied one accepts the appeal (its message
 * then says so); a failed one, or none at all, opens it again.
 * Returns how many were settled.
 */
export async function settleInterruptedAccepts(
  deps: { db: Database; appealBoard: AppealBoard },
  shard: WorkScope["shard"],
): Promise<number> {
  let settled = 0;
  for (const appeal of await listStaleAcceptingAppeals(deps.db, shard)) {
    const unban = await findAcceptUnbanCase(deps.db, appeal);
    if (unban?.status === "pending") continue;
    settled += 1;
    if (unban?.status !== "applied") {
      await reopenAppeal(deps.db, appeal.id);
      continue;
    }
    const decision = acceptedWith(await markAppealAccepted(deps.db, appeal.id, unban), unban);
    if (appeal.channelId !== null && appeal.messageId !== null) {
      await deps.appealBoard.showDecision(appeal.channelId, appeal.messageId, decision);
    }
  }
  return settled;
}

function acceptedWith(appeal: AppealRow | undefined, unban: CaseRow): AppealDecision {
  return {
    state: "accepted",
    decidedBy: unban.moderatorDiscordId,
    decidedAt: appeal?.decidedAt ?? unban.updatedAt,
    unbanCaseNumber: unban.number,
  };
}

async function whyNotOpen(db: Database, request: Pick<AppealRequest, "guildId" | "appealId">): Promise<string> {
  const appeal = await findAppeal(db, request.guildId, request.appealId);
  if (appeal === undefined) return "Warden has no such appeal in this server.";
  const by = appeal.decidedBy === null ? "" : ` by <@${appeal.decidedBy}>`;
  switch (appeal.state) {
    case "open":
      return "This appeal is open again; try once more.";
    case "accepting":
      return `This appeal is being accepted${by} right now.`;
    case "accepted":
      return `This appeal was already accepted${by}.`;
    case "declined":
      return `This appeal was already declined${by}.`;
  }
}
