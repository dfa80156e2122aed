import { settleCase, type CaseRow } from "../../db/cases.js";
import { latestReview, releaseOrphanedClaims, releaseReview } from "../../db/joinRequestReviews.js";
import { openLinkedById, type LinkedTarget } from "../moderation/linkedExperience.js";
import { publish } from "../moderation/restrictions.js";
import { UserError } from "../userError.js";
import { carryOutDecision, describeDecision, settleDecided } from "./decideJoinRequest.js";
import type { ReviewDeps } from "./postPendingRequests.js";

/**
 * Finishes the join decisions a dead process left half done (it died
 * between recording the decision and Roblox's answer), so that no request
 * stays claimed for ever. An accept Roblox already applied is confirmed by
 * the player's membership; any other decision is sent again, which Roblox
 * applies or answers with "gone". The card then shows the outcome. Returns
 * how many were settled or given back.
 */
export async function resumeInterruptedDecisions(deps: ReviewDeps, taken: readonly CaseRow[]): Promise<number> {
  let settled = 0;
  for (const row of taken) {
    if (row.action !== "join_accept" && row.action !== "join_decline") continue;
    try {
      await resumeOne(deps, row);
      settled += 1;
    } catch (error) {
      // Left pending and this process's: it is taken over again once this process is gone, and the log says why.
      deps.logger.error({ err: error, caseId: row.id }, "could not resume an interrupted join decision");
    }
  }
  // Claimed, then the process died before recording anything: nothing to finish, only to give back.
  return settled + (await releaseOrphanedClaims(deps.db));
}

async function resumeOne(deps: ReviewDeps, row: CaseRow): Promise<void> {
  const groupId = row.groupId ?? "";
  const review = await latestReview(deps.db, row.guildId, groupId, row.robloxUserId);
  if (review?.state !== "claimed") {
    await publish(deps, await settleCase(deps.db, row.id, deps.processId, { status: "failed", error: "Interrupted; the request was closed meanwhile." }));
    return;
  }
  let group;
  try {
    group = await openLinkedById(deps, row.guildId, "group", groupId);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    await publish(deps, await settleCase(deps.db, row.id, deps.processId, { status: "failed", error: `Interrupted, then: ${error.message}` }));
    await releaseReview(deps.db, review.id);
    return;
  }
  // An accept Roblox already applied: the player is a member, and a second call would only answer "gone".
  const result =
    row.action === "join_accept" && (await isMember(group.roblox, groupId, row.robloxUserId))
      ? await settleDecided(deps, review, row)
      : await carryOutDecision(deps, group, review, row);
  if (result.outcome === "failed" || !review.reviewChannelId || !review.reviewMessageId) return;
  await deps.reviewBoard.showDecision(review.reviewChannelId, review.reviewMessageId, describeDecision(result, `<@${row.moderatorDiscordId ?? ""}>`));
}

async function isMember(roblox: LinkedTarget["roblox"], groupId: string, userId: string): Promise<boolean> {
  for await (const membership of roblox.groups.memberships(groupId, { userId, maxPageSize: 1 }).items()) {
    if (membership.userId === userId) return true;
  }
  return false;
}
