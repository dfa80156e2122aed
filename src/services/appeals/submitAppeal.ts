import { countRecentAppeals, insertAppeal, latestBanCaseId, latestDecline, listAppealableExperiences } from "../../db/appeals.js";
import { APPEAL_TEXT_MAX } from "../../db/schema.js";
import type { ExperienceDeps } from "../moderation/linkedExperience.js";
import { UserError } from "../userError.js";
import { readBan } from "./playerBans.js";
import type { AppealNotifier } from "./ports.js";

/** How many appeals one player, and one address, may send in a window: enough for honest use, too few to flood a channel. */
export interface SubmissionLimits {
  perPlayer: number;
  perAddress: number;
  windowSeconds: number;
}

export const DEFAULT_SUBMISSION_LIMITS: SubmissionLimits = { perPlayer: 5, perAddress: 10, windowSeconds: 24 * 3600 };

export interface SubmitDeps extends ExperienceDeps {
  limits: SubmissionLimits;
  notifier: AppealNotifier;
  now: () => Date;
  /** Told when the notifier throws: the appeal is recorded, and the sweep posts it later. */
  onNotifyFailure: (error: unknown, appealId: number) => void;
}

export interface AppealSubmission {
  /** From the session: the signed-in player, never anything the form says. */
  player: { id: string; name: string | null };
  /** Which ban, as the form names it; it must be the player's active ban now. */
  guildId: string;
  universeId: string;
  placeId: string | null;
  text: string;
  /** A keyed hash of the address the form came from. */
  addressHash: string;
}

/**
 * Records the player's appeal of one of their active bans, after checking it
 * is theirs and active (read from Roblox now), the text, the limits and the
 * cooling-off after a decline; then tells the notifier. Refusals throw a
 * UserError written for the player.
 */
export async function submitAppeal(deps: SubmitDeps, submission: AppealSubmission): Promise<number> {
  const text = submission.text.trim();
  if (text.length === 0) throw new UserError("Write why the ban should be lifted before sending the appeal.");
  if (text.length > APPEAL_TEXT_MAX) throw new UserError(`An appeal can be at most ${APPEAL_TEXT_MAX} characters; yours has ${text.length}.`);

  const experience = (await listAppealableExperiences(deps.db)).find(
    (candidate) => candidate.guildId === submission.guildId && candidate.universeId === submission.universeId,
  );
  const ban = experience && (await readBan(deps, experience, submission.player.id, submission.placeId));
  if (experience === undefined || ban === undefined) throw new UserError("You have no active ban there that can be appealed.");

  const [byPlayer, byAddress] = await Promise.all([
    countRecentAppeals(deps.db, { robloxUserId: submission.player.id }, deps.limits.windowSeconds),
    countRecentAppeals(deps.db, { addressHash: submission.addressHash }, deps.limits.windowSeconds),
  ]);
  if (byPlayer >= deps.limits.perPlayer || byAddress >= deps.limits.perAddress) {
    throw new UserError("Too many appeals were sent recently; try again tomorrow.");
  }

  const target = { guildId: experience.guildId, universeId: experience.universeId, placeId: submission.placeId, robloxUserId: submission.player.id };
  const declined = await latestDecline(deps.db, target, ban.startTime);
  if (declined !== undefined) {
    const again = new Date(declined.getTime() + experience.cooldownDays * 86_400_000);
    if (again > deps.now()) {
      throw new UserError(`Your appeal of this ban was declined. You may appeal it again from ${again.toUTCString()}.`);
    }
  }

  const appealId = await insertAppeal(deps.db, {
    ...target,
    robloxUsername: submission.player.name,
    banStartedAt: ban.startTime,
    banCaseId: await latestBanCaseId(deps.db, target),
    text,
    submitterAddressHash: submission.addressHash,
  });
  if (appealId === undefined) throw new UserError("You already have an open appeal for this ban; staff will answer it here.");
  try {
    deps.notifier.appealSubmitted(appealId);
  } catch (error) {
    deps.onNotifyFailure(error, appealId);
  }
  return appealId;
}
