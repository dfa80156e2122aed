import { claimUnpostedAppeals, releaseAppealPosting, setAppealMessage, type AppealRow } from "../../db/appeals.js";
import { findCaseById } from "../../db/cases.js";
import { getLink } from "../../db/links.js";
import type { Logger } from "../../log.js";
import type { WorkScope } from "../../shards.js";
import type { ProfileDeps } from "../playerProfiles.js";
import type { AppealBoard, AppealCard } from "../ports.js";
import type { Database } from "../../db/connection.js";
import type { AppealNotifier } from "./ports.js";

export interface AppealPostingDeps extends ProfileDeps {
  db: Database;
  appealBoard: AppealBoard;
  logger: Pick<Logger, "warn" | "error">;
}

/**
 * Posts open appeals not yet in their guild's appeals channel: one just
 * submitted, a guild's backlog once it chose a channel, or a shard's after
 * an outage. Each is leased while it is posted, so two processes never post
 * one twice; one that cannot be posted now is left for the next run.
 * Returns how many were posted.
 */
export async function postAppeals(
  deps: AppealPostingDeps,
  scope: { appealId?: number; guildId?: string; shard?: WorkScope["shard"] },
): Promise<number> {
  let posted = 0;
  for (const appeal of await claimUnpostedAppeals(deps.db, scope)) {
    if (await postOne(deps, appeal)) posted += 1;
  }
  return posted;
}

async function postOne(deps: AppealPostingDeps, appeal: AppealRow): Promise<boolean> {
  const channelId = appeal.channelId;
  if (channelId === null) throw new Error(`appeal ${appeal.id} was claimed without a channel`);
  try {
    const outcome = await deps.appealBoard.postAppeal(channelId, await describeAppeal(deps, appeal));
    if (outcome.posted) {
      await setAppealMessage(deps.db, appeal.id, channelId, outcome.messageId);
      return true;
    }
    deps.logger.warn({ guildId: appeal.guildId, appealId: appeal.id, problem: outcome.problem }, "appeal not posted; the next sweep tries again");
  } catch (error) {
    deps.logger.error({ err: error, guildId: appeal.guildId, appealId: appeal.id }, "could not post an appeal; the next sweep tries again");
  }
  await releaseAppealPosting(deps.db, appeal.id);
  return false;
}

async function describeAppeal(deps: AppealPostingDeps, appeal: AppealRow): Promise<AppealCard> {
  const [link, banCase, avatarUrl] = await Promise.all([
    getLink(deps.db, appeal.guildId, "universe", appeal.universeId),
    appeal.banCaseId === null ? undefined : findCaseById(deps.db, appeal.banCaseId),
    deps.profiles.avatarUrl(appeal.robloxUserId, appeal.guildId),
  ]);
  return {
    appealId: appeal.id,
    player: { id: appeal.robloxUserId, name: appeal.robloxUsername ?? banCase?.robloxUsername ?? null, avatarUrl },
    experienceName: link?.displayName ?? `experience ${appeal.universeId}`,
    universeId: appeal.universeId,
    placeId: appeal.placeId,
    banStartedAt: appeal.banStartedAt,
    banCase,
    text: appeal.text,
    submittedAt: appeal.createdAt,
  };
}

/** The port the web side calls after storing an appeal: posted at once, in the background; the sweep catches what fails. */
export function createAppealNotifier(deps: AppealPostingDeps): AppealNotifier {
  return {
    appealSubmitted(appealId) {
      postAppeals(deps, { appealId }).catch((error: unknown) => {
        deps.logger.error({ err: error, appealId }, "could not post a new appeal; the next sweep tries again");
      });
    },
  };
}
