import { countCasesForUsers } from "../../db/cases.js";
import { claimUnpostedReviews, recordNewRequests, releasePosting, setReviewMessage, type ReviewRow } from "../../db/joinRequestReviews.js";
import { getGroupRules, listLinks } from "../../db/links.js";
import { OpenCloudError } from "../../opencloud/index.js";
import { openLinkedExperienceById, type LinkedExperience, type LinkedTarget } from "../moderation/linkedExperience.js";
import type { ModerationDeps } from "../moderation/restrictions.js";
import type { JoinRequestCard, ReviewBoard } from "../ports.js";
import { forEachConcurrently } from "../concurrently.js";
import { IN_FLIGHT } from "./decideAll.js";
import { decideJoinRequest, describeDecision } from "./decideJoinRequest.js";
import { joinRulesSchema, judgeByRules } from "./joinRules.js";

export interface ReviewDeps extends ModerationDeps {
  reviewBoard: ReviewBoard;
  /** Who automatic decisions are recorded as: the bot's own Discord user. */
  automationActorId: string;
}

export interface PostingReport {
  groupName: string;
  /** Requests waiting in Roblox right now, as far as this run read. */
  pending: number;
  /** The run stopped reading before the end: more than `pending` are waiting. */
  morePending: boolean;
  /** Pages read, one list call each: what the run cost the key owner's list budget. */
  pages: number;
  /** Newly posted to the review channel by this run. */
  posted: number;
  /** Of those, decided by the group's rules. */
  decidedByRules: number;
  /** Why some could not be posted (no channel, missing permission). */
  problem: string | undefined;
}

/** About how many new cards one run posts; the rest wait for the next run (or the next poll). */
const NEW_CARDS_PER_RUN = 200;
/** How far one run reads, 2,000 requests: at most a third of a key's list budget (300 pages a minute). */
const MAX_PAGES_PER_RUN = 100;
/** Roblox's largest page of join requests: each page's cards go out while the next is read. */
const PAGE_SIZE = 20;

/**
 * Posts each open join request of a linked group (as the caller opened it:
 * by what staff typed, or by id for a poll) to the review channel, once:
 * requests are recorded first (a request seen before, even before a restart,
 * is not new), and only recorded requests without a message yet are posted,
 * so a failed post is retried by the next run.
 */
export async function postPendingRequests(deps: ReviewDeps, guildId: string, linked: LinkedTarget): Promise<PostingReport> {
  const rules = joinRulesSchema.parse((await getGroupRules(deps.db, guildId, linked.robloxId)) ?? {});
  // Opened once per run, not once per request: a wave of a thousand requests reads its links once.
  const experiences = await Promise.all(
    (await listLinks(deps.db, guildId))
      .filter((link) => link.kind === "universe")
      .map((link) => openLinkedExperienceById(deps, guildId, link.robloxId)),
  );
  const report: PostingReport = {
    groupName: linked.displayName,
    pending: 0,
    morePending: false,
    pages: 0,
    posted: 0,
    decidedByRules: 0,
    problem: undefined,
  };
  await forEachConcurrently(claimPageByPage(deps, guildId, linked, report), IN_FLIGHT, async ({ review, previousCases }) => {
    // After one failed post (no channel, no permission) the rest would fail the same way.
    if (report.problem !== undefined) return releasePosting(deps.db, review.id);
    try {
      const card = await describeRequest(deps, guildId, linked, experiences, review, previousCases);
      const decided = await applyRules(deps, guildId, linked, card, judgeByRules(rules, card, new Date()));
      if (decided !== undefined) report.decidedByRules += 1;
      const outcome = await deps.reviewBoard.postRequest(guildId, card, decided);
      if (!outcome.posted) {
        report.problem = outcome.problem;
        return releasePosting(deps.db, review.id);
      }
      await setReviewMessage(deps.db, review.id, outcome.channelId ?? "", outcome.messageId);
      report.posted += 1;
    } catch (error) {
      // The next run may post it at once instead of waiting out the lease.
      await releasePosting(deps.db, review.id);
      throw error;
    }
  });
  return report;
}

interface ClaimedReview {
  review: ReviewRow;
  /** The player's cases in this guild before this request. */
  previousCases: number;
}

/**
 * Reads the group's open requests a page at a time, records them, and
 * yields those this run may post: still open in Roblox (a request handled
 * elsewhere before it was posted is not news) and not being posted by
 * another run right now. Counts what is waiting in `report.pending`.
 */
async function* claimPageByPage(
  deps: ReviewDeps,
  guildId: string,
  linked: LinkedTarget,
  report: PostingReport,
): AsyncGenerator<ClaimedReview, void, undefined> {
  let claimedInRun = 0;
  for await (const page of linked.roblox.groups.joinRequests(linked.robloxId, { maxPageSize: PAGE_SIZE })) {
    report.pages += 1;
    report.pending += page.items.length;
    // Every request is recorded, posted or not: one seen before is never news again.
    await recordNewRequests(
      deps.db,
      guildId,
      linked.robloxId,
      page.items.map((request) => ({ userId: request.userId, requestedAt: request.createTime ?? new Date(0) })),
    );
    const claimed = await claimUnpostedReviews(
      deps.db,
      guildId,
      linked.robloxId,
      page.items.map((request) => request.userId),
    );
    claimedInRun += claimed.length;
    const previousCases = await countCasesForUsers(
      deps.db,
      guildId,
      claimed.map((review) => review.robloxUserId),
    );
    try {
      while (claimed.length > 0) {
        const review = claimed.shift() as ReviewRow;
        yield { review, previousCases: previousCases.get(review.robloxUserId) ?? 0 };
      }
    } finally {
      // Closed early (a card failed with an error): what was claimed but never handed out goes back at once.
      for (const review of claimed) await releasePosting(deps.db, review.id);
    }
    if (report.problem !== undefined) return;
    if (claimedInRun >= NEW_CARDS_PER_RUN || report.pages === MAX_PAGES_PER_RUN) {
      report.morePending = page.nextPageToken !== null;
      return;
    }
  }
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
  if (result.outcome === "gone") return describeDecision(result, "");
  return `${verdict.decision === "accept" ? "Auto-approved" : "Auto-declined"}: ${verdict.rule} · case #${result.row.number}`;
}

/** The player's profile and their ban in each linked experience, all read at once. */
async function describeRequest(
  deps: ReviewDeps,
  guildId: string,
  group: LinkedTarget,
  experiences: readonly LinkedExperience[],
  review: ReviewRow,
  previousCases: number,
): Promise<JoinRequestCard> {
  const userId = review.robloxUserId;
  const [profile, banned] = await Promise.all([
    deps.profiles.profile(group.roblox, userId, guildId),
    Promise.all(experiences.map((experience) => isBannedIn(experience, userId))),
  ]);
  const bannedIn = experiences.filter((_, index) => banned[index]).map((experience) => experience.displayName);
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

async function isBannedIn(experience: LinkedExperience, userId: string): Promise<boolean> {
  try {
    return (await experience.roblox.userRestrictions.get({ universeId: experience.universeId, userId })).active;
  } catch (error) {
    // A ban state that cannot be read is left out rather than holding up the review.
    if (!(error instanceof OpenCloudError)) throw error;
    return false;
  }
}
