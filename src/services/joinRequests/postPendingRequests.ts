import { countCasesForUsers } from "../../db/cases.js";
import { claimUnpostedReviews, recordNewRequests, releasePosting, setReviewMessage, type ReviewRow } from "../../db/joinRequestReviews.js";
import { getGroupRules, listLinks } from "../../db/links.js";
import { OpenCloudError, type JoinRequest } from "../../opencloud/index.js";
import { openLinked, openLinkedExperience, type LinkedExperience, type LinkedTarget } from "../moderation/linkedExperience.js";
import type { ModerationDeps } from "../moderation/restrictions.js";
import type { JoinRequestCard, ReviewBoard } from "../ports.js";
import { forEachConcurrently } from "../concurrently.js";
import { IN_FLIGHT } from "./decideAll.js";
import { decideJoinRequest } from "./decideJoinRequest.js";
import { joinRulesSchema, judgeByRules } from "./joinRules.js";

export interface ReviewDeps extends ModerationDeps {
  reviewBoard: ReviewBoard;
  /** Who automatic decisions are recorded as: the bot's own Discord user. */
  automationActorId: string;
}

export interface PostingReport {
  groupName: string;
  /** Requests waiting in Roblox right now. */
  pending: number;
  /** Newly posted to the review channel by this run. */
  posted: number;
  /** Of those, decided by the group's rules. */
  decidedByRules: number;
  /** Why some could not be posted (no channel, missing permission). */
  problem: string | undefined;
}

/** How many open requests one run reads; more wait for the next run, oldest first. */
const MAX_REQUESTS_PER_RUN = 200;

/**
 * Posts each open join request of a linked group to the review channel,
 * once: requests are recorded first (a request seen before, even before a
 * restart, is not new), and only recorded requests without a message yet
 * are posted, so a failed post is retried by the next run.
 */
export async function postPendingRequests(deps: ReviewDeps, guildId: string, group: string | undefined): Promise<PostingReport> {
  const linked = await openLinked(deps, guildId, "group", group);
  const requests: JoinRequest[] = [];
  for await (const request of linked.roblox.groups.joinRequests(linked.robloxId, { maxPageSize: 20 }).items()) {
    requests.push(request);
    if (requests.length === MAX_REQUESTS_PER_RUN) break;
  }
  await recordNewRequests(
    deps.db,
    guildId,
    linked.robloxId,
    requests.map((request) => ({ userId: request.userId, requestedAt: request.createTime ?? new Date(0) })),
  );

  let posted = 0;
  let decidedByRules = 0;
  let problem: string | undefined;
  const rules = joinRulesSchema.parse((await getGroupRules(deps.db, guildId, linked.robloxId)) ?? {});
  // Opened once per run, not once per request: a wave of a thousand requests reads its links once.
  const experiences = await Promise.all(
    (await listLinks(deps.db, guildId))
      .filter((link) => link.kind === "universe")
      .map((link) => openLinkedExperience(deps, guildId, link.robloxId)),
  );
  // Only what is still open in Roblox (a request handled elsewhere before it was posted is not
  // news), and only what no other run is posting right now.
  const unposted = await claimUnpostedReviews(
    deps.db,
    guildId,
    linked.robloxId,
    requests.map((request) => request.userId),
  );
  const previousCases = await countCasesForUsers(
    deps.db,
    guildId,
    unposted.map((review) => review.robloxUserId),
  );
  await forEachConcurrently(unposted, IN_FLIGHT, async (review) => {
    // After one failed post (no channel, no permission) the rest would fail the same way.
    if (problem !== undefined) return releasePosting(deps.db, review.id);
    try {
      const card = await describeRequest(linked, experiences, review, previousCases.get(review.robloxUserId) ?? 0);
      const decided = await applyRules(deps, guildId, linked, card, judgeByRules(rules, card, new Date()));
      if (decided !== undefined) decidedByRules += 1;
      const outcome = await deps.reviewBoard.postRequest(guildId, card, decided);
      if (!outcome.posted) {
        problem = outcome.problem;
        return releasePosting(deps.db, review.id);
      }
      await setReviewMessage(deps.db, review.id, outcome.channelId ?? "", outcome.messageId);
      posted += 1;
    } catch (error) {
      // The next run may post it at once instead of waiting out the lease.
      await releasePosting(deps.db, review.id);
      throw error;
    }
  });
  return { groupName: linked.displayName, pending: requests.length, posted, decidedByRules, problem };
}

/** Lets a rule decide, as a person would through the buttons; the card then shows what it decided. */
async function applyRules(
  deps: ReviewDeps,
  guildId: string,
  group: LinkedTarget,
  card: JoinRequestCard,
  verdict: ReturnType<typeof judgeByRules>,
): Promise<string | undefined> {
  if (verdict === undefined) return undefined;
  const result = await decideJoinRequest(deps, {
    guildId,
    groupId: card.groupId,
    userId: card.userId,
    decision: verdict.decision,
    actorId: deps.automationActorId,
    rule: verdict.rule,
    username: card.username,
  }, group);
  // A failed call leaves the request to staff: the card is posted with its buttons.
  if (result.outcome === "failed") return undefined;
  if (result.outcome === "gone") return `No longer exists in Roblox · case #${result.row.number}`;
  return `${verdict.decision === "accept" ? "Auto-approved" : "Auto-declined"}: ${verdict.rule} · case #${result.row.number}`;
}

async function describeRequest(
  group: LinkedTarget,
  experiences: readonly LinkedExperience[],
  review: ReviewRow,
  previousCases: number,
): Promise<JoinRequestCard> {
  const userId = review.robloxUserId;
  const profile = await group.roblox.users.get(userId);
  const bannedIn: string[] = [];
  for (const experience of experiences) {
    try {
      const restriction = await experience.roblox.userRestrictions.get({ universeId: experience.universeId, userId });
      if (restriction.active) bannedIn.push(experience.displayName);
    } catch (error) {
      // A ban state that cannot be read is left out rather than holding up the review.
      if (!(error instanceof OpenCloudError)) throw error;
    }
  }
  return {
    groupId: group.robloxId,
    groupName: group.displayName,
    userId,
    username: profile.name,
    displayName: profile.displayName,
    accountCreated: profile.createTime,
    requestedAt: review.requestedAt,
    bannedIn,
    previousCases,
  };
}
