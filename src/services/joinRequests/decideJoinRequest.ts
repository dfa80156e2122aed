import { createCase, settleCase, type CaseRow } from "../../db/cases.js";
import { claimReview, finishReview, latestReview, releaseReview, type ReviewRow } from "../../db/joinRequestReviews.js";
import { NotFoundError, OpenCloudError, userMessage } from "../../opencloud/index.js";
import { openLinkedById, type LinkedTarget } from "../moderation/linkedExperience.js";
import { publish, type ModerationDeps } from "../moderation/restrictions.js";
import { UserError } from "../userError.js";

export interface Decision {
  guildId: string;
  groupId: string;
  userId: string;
  decision: "accept" | "decline";
  actorId: string;
  /** Set when a rule decided, not a person: kept on the review and as the case's reason. */
  rule?: string;
  /** The player's name when the caller already has it (a rule deciding from the card). */
  username?: string;
}

export type DecisionResult =
  | { outcome: "decided"; review: ReviewRow; row: CaseRow }
  /** Roblox no longer has the request: accepted, declined or withdrawn elsewhere. */
  | { outcome: "gone"; review: ReviewRow; row: CaseRow }
  /** Roblox refused or failed; the request is open again for anyone to retry. */
  | { outcome: "failed"; row: CaseRow; reason: string };

/**
 * Decides a join request exactly once. The group must be linked to this
 * guild (a button id is never trusted); one conditional UPDATE claims the
 * request, so of any number of clicks one goes on; the decision is recorded
 * as a case before Roblox is called; a failed call gives the claim back.
 */
export async function decideJoinRequest(
  deps: ModerationDeps,
  decision: Decision,
  /** The group as a caller already opened and checked it this moment (a poll, a bulk run); a click never passes it. */
  opened?: LinkedTarget,
): Promise<DecisionResult> {
  const group =
    opened ??
    (await openLinkedById(deps, decision.guildId, "group", decision.groupId).catch((error: unknown) => {
      if (error instanceof UserError) throw new UserError("This request belongs to a group that is not linked to this server.");
      throw error;
    }));
  const claimed = await claimReview(deps.db, { ...decision, claimedBy: decision.actorId });
  if (claimed === undefined) throw new UserError(await whyNotOpen(deps, decision));

  // Only a snapshot for the case: a lookup that fails leaves it empty rather than the decision undone.
  const username =
    decision.username ??
    (await group.roblox.users
      .get(decision.userId)
      .then((user) => user.name)
      .catch(() => null));
  const pending = await createCase(deps.db, {
    guildId: decision.guildId,
    action: decision.decision === "accept" ? "join_accept" : "join_decline",
    robloxUserId: decision.userId,
    robloxUsername: username,
    groupId: group.robloxId,
    privateReason: decision.rule ?? null,
    moderatorDiscordId: decision.actorId,
    source: "discord",
    ownerProcess: deps.processId,
  });
  return carryOutDecision(deps, group, claimed, pending);
}

/**
 * Sends a recorded decision to Roblox, then settles its case and its review:
 * a click's, or one a restart found interrupted. A request Roblox no longer
 * has is closed as gone; a failed call gives the claim back.
 */
export async function carryOutDecision(deps: ModerationDeps, group: LinkedTarget, claimed: ReviewRow, pending: CaseRow): Promise<DecisionResult> {
  try {
    if (pending.action === "join_accept") await group.roblox.groups.acceptJoinRequest(group.robloxId, pending.robloxUserId);
    else await group.roblox.groups.declineJoinRequest(group.robloxId, pending.robloxUserId);
  } catch (error) {
    if (!(error instanceof OpenCloudError)) {
      await releaseReview(deps.db, claimed.id);
      throw error;
    }
    const gone = error instanceof NotFoundError;
    const reason = gone ? "The request no longer exists in Roblox: it was handled elsewhere or withdrawn." : userMessage(error);
    const row = await settleCase(deps.db, pending.id, deps.processId, { status: "failed", error: reason });
    await publish(deps, row);
    if (!gone) {
      await releaseReview(deps.db, claimed.id);
      return { outcome: "failed", row, reason };
    }
    const review = await finishReview(deps.db, claimed.id, { state: "gone", ...decisionOf(pending, row) });
    return { outcome: "gone", review, row };
  }
  return settleDecided(deps, claimed, pending);
}

/** Records a decision Roblox applied: the case applied and published, the review closed as decided. */
export async function settleDecided(deps: ModerationDeps, claimed: ReviewRow, pending: CaseRow): Promise<DecisionResult> {
  const row = await settleCase(deps.db, pending.id, deps.processId, { status: "applied", expiresAt: null });
  await publish(deps, row);
  const state = pending.action === "join_accept" ? "accepted" : "declined";
  const review = await finishReview(deps.db, claimed.id, { state, ...decisionOf(pending, row) });
  return { outcome: "decided", review, row };
}

/** What a review keeps of its decision's case. */
function decisionOf(pending: CaseRow, settled: CaseRow) {
  // A rule's decision carries the rule as its case's reason; a person's has none.
  return { decidedBy: pending.moderatorDiscordId ?? "", caseId: settled.id, rule: pending.privateReason ?? undefined };
}

/** What a card shows once decided: the outcome, who decided (`by`), and the case. */
export function describeDecision(result: Exclude<DecisionResult, { outcome: "failed" }>, by: string): string {
  if (result.outcome === "gone") return `No longer exists in Roblox · case #${result.row.number}`;
  return `${result.review.state === "accepted" ? "Approved" : "Declined"} by ${by} · case #${result.row.number}`;
}

async function whyNotOpen(deps: ModerationDeps, decision: Decision): Promise<string> {
  const review = await latestReview(deps.db, decision.guildId, decision.groupId, decision.userId);
  if (review === undefined) return "Warden has no record of this join request.";
  switch (review.state) {
    case "claimed":
      return `<@${review.claimedBy ?? ""}> is deciding this request right now.`;
    case "accepted":
    case "declined":
      return `Already ${review.state} by <@${review.decidedBy ?? ""}>.`;
    case "gone":
      return "This request no longer exists in Roblox.";
    case "pending":
      return "This request is open; try again.";
  }
}
