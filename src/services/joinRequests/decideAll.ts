import { listOpenReviews } from "../../db/joinRequestReviews.js";
import { openLinked, openLinkedById } from "../moderation/linkedExperience.js";
import { forEachConcurrently } from "../concurrently.js";
import { UserError } from "../userError.js";
import { decideJoinRequest, describeDecision } from "./decideJoinRequest.js";
import type { ReviewDeps } from "./postPendingRequests.js";

/** Decisions in flight at once: enough to keep the accept/decline budget busy while each waits on the database and Roblox. */
export const IN_FLIGHT = 24;

export interface BulkProgress {
  total: number;
  decided: number;
  /** Handled elsewhere meanwhile, or decided by someone else first. */
  skipped: number;
  failed: number;
}

/** What a bulk decision will cover, to show in its confirmation. */
export async function openQueue(deps: ReviewDeps, guildId: string, group: string | undefined) {
  const linked = await openLinked(deps, guildId, "group", group);
  const reviews = await listOpenReviews(deps.db, guildId, linked.robloxId);
  if (reviews.length === 0) throw new UserError(`No posted join request of ${linked.displayName} is waiting for a decision.`);
  return { groupId: linked.robloxId, groupName: linked.displayName, userIds: reviews.map((review) => review.robloxUserId) };
}

/**
 * Decides every request in the queue the confirmation showed, each through
 * the same exactly-once path as a click. Calls go out as fast as the Open
 * Cloud client's accept/decline budget lets them (100/min per key);
 * `onProgress` hears after every decision.
 */
export async function decideAll(
  deps: ReviewDeps,
  request: { guildId: string; groupId: string; userIds: readonly string[]; decision: "accept" | "decline"; actorId: string },
  onProgress: (progress: BulkProgress) => void,
): Promise<BulkProgress> {
  const progress: BulkProgress = { total: request.userIds.length, decided: 0, skipped: 0, failed: 0 };
  // Checked once: the group must still be linked when the run starts.
  const group = await openLinkedById(deps, request.guildId, "group", request.groupId);
  await forEachConcurrently(request.userIds, IN_FLIGHT, async (userId) => {
      try {
        const result = await decideJoinRequest(deps, { ...request, userId }, group);
        if (result.outcome === "failed") {
          progress.failed += 1;
        } else {
          if (result.outcome === "decided") progress.decided += 1;
          else progress.skipped += 1;
          const { reviewChannelId, reviewMessageId } = result.review;
          if (reviewChannelId && reviewMessageId) {
            await deps.reviewBoard.showDecision(reviewChannelId, reviewMessageId, describeDecision(result, `<@${request.actorId}> (bulk)`));
          }
        }
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        progress.skipped += 1;
      }
      onProgress({ ...progress });
  });
  return progress;
}
