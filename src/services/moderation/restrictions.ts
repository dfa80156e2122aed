import { randomUUID } from "node:crypto";
import {
  createCase,
  findCaseById,
  setCaseLogMessage,
  settleCase,
  summarizeCaseNotes,
  type CaseOutcome,
  type CaseRow,
  type NewCase,
} from "../../db/cases.js";
import type { Database } from "../../db/connection.js";
import { attachWaitingEvidence, findWaitingEvidence, listEvidence } from "../../db/evidence.js";
import type { Logger } from "../../log.js";
import {
  NotFoundError,
  OpenCloudError,
  UnavailableError,
  userMessage,
  type KeyedOpenCloud,
  type UserRestriction,
} from "../../opencloud/index.js";
import { guardDestructiveAction } from "../actionGuard.js";
import { readShownEvidence } from "../evidence/caseEvidence.js";
import type { CasePublisher, PublishOutcome, SetupNotices } from "../ports.js";
import { canonicalId } from "../robloxIds.js";
import { UserError } from "../userError.js";
import { parseBanDuration } from "./banDuration.js";
import { openLinkedExperience, type ExperienceDeps, type LinkedExperience } from "./linkedExperience.js";
import { resolvePlayer, type Player } from "./resolvePlayer.js";
import { clipText } from "../clipText.js";
import type { ProfileDeps } from "../playerProfiles.js";

export interface ModerationDeps extends ExperienceDeps, ProfileDeps {
  publisher: CasePublisher;
  /** The mod log's notices to the guild's configurers (the guard's pause). */
  notices: SetupNotices;
  logger: Pick<Logger, "warn" | "error">;
  /** This process's id (the processes table): the cases it records are its own to settle. */
  processId: string;
}

/** Roblox's limits on the two reasons. */
const PRIVATE_REASON_MAX = 1_000;
const DISPLAY_REASON_MAX = 400;

interface TargetRequest {
  guildId: string;
  moderatorId: string;
  /** A username or numeric user id, as typed. */
  player: string;
  /** A linked universe id or name; may be left out when one is linked. */
  experience: string | undefined;
  /** Leave out for the whole universe. */
  placeId: string | undefined;
}

export interface BanRequest extends TargetRequest {
  duration: string;
  privateReason: string;
  publicReason: string | undefined;
  excludeAltAccounts: boolean;
  /** The Discord attachment of the evidence file the moderator attached, held since the command arrived (`holdBanEvidence`). */
  evidenceAttachmentId: string | undefined;
}

export interface UnbanRequest extends TargetRequest {
  reason: string | undefined;
}

/** A checked request: who, where and what, resolved and validated, with nothing done yet. */
export interface PreparedChange {
  action: "ban" | "unban";
  guildId: string;
  moderatorId: string;
  player: Player;
  universeId: string;
  experienceName: string;
  placeId: string | undefined;
  durationSeconds: number | null;
  privateReason: string;
  publicReason: string | undefined;
  excludeAltAccounts: boolean;
  /** The held evidence file the case takes when it is recorded. */
  evidenceId: number | undefined;
  roblox: KeyedOpenCloud;
}

export interface CaseResult {
  row: CaseRow;
  /** Set when Roblox refused or failed: what the moderator is told. */
  failure: string | undefined;
  published: PublishOutcome;
}

/** Checks a ban before anything is recorded: duration, reasons, experience, place and player. */
export async function prepareBan(deps: ModerationDeps, request: BanRequest): Promise<PreparedChange> {
  const durationSeconds = parseBanDuration(request.duration);
  const { privateReason, publicReason } = checkReasons(request.privateReason, request.publicReason, true);
  const evidenceId = request.evidenceAttachmentId === undefined ? undefined : await findHeldEvidence(deps, request, request.evidenceAttachmentId);
  const target = await resolveTarget(deps, request);
  return {
    ...target,
    action: "ban",
    durationSeconds,
    privateReason,
    publicReason,
    excludeAltAccounts: request.excludeAltAccounts,
    evidenceId,
  };
}

async function findHeldEvidence(deps: ModerationDeps, request: BanRequest, attachmentId: string): Promise<number> {
  const held = await findWaitingEvidence(deps.db, { guildId: request.guildId, addedByDiscordId: request.moderatorId, sourceAttachmentId: attachmentId });
  if (held === undefined) throw evidenceGone();
  return held;
}

/** The reasons trimmed and within Roblox's limits; a ban must say why. */
export function checkReasons(
  privateText: string,
  publicText: string | undefined,
  required: boolean,
): { privateReason: string; publicReason: string | undefined } {
  const privateReason = checkLength(privateText.trim(), PRIVATE_REASON_MAX, "reason");
  const publicReason = publicText?.trim() || undefined;
  if (publicReason !== undefined) checkLength(publicReason, DISPLAY_REASON_MAX, "public_reason");
  if (required && privateReason === "") throw new UserError("Give a `reason`: staff will want to know why later.");
  return { privateReason, publicReason };
}

/** Checks an unban: the player must be banned where the unban is aimed. */
export async function prepareUnban(deps: ModerationDeps, request: UnbanRequest): Promise<PreparedChange> {
  const { privateReason } = checkReasons(request.reason ?? "", undefined, false);
  const target = await resolveTarget(deps, request);
  const current = await target.roblox.userRestrictions.get({
    universeId: target.universeId,
    placeId: target.placeId,
    userId: target.player.id,
  });
  if (!current.active) {
    throw new UserError(`${nameOf(target.player)} is not banned in ${where(target)}; nothing to undo.`);
  }
  if (current.inherited) {
    throw new UserError(
      `${nameOf(target.player)} is banned from the whole of ${target.experienceName}, not just place ${target.placeId}. ` +
        "Unban without `place` to lift it.",
    );
  }
  return {
    ...target,
    action: "unban",
    durationSeconds: null,
    privateReason,
    publicReason: undefined,
    excludeAltAccounts: false,
    evidenceId: undefined,
  };
}

/**
 * Carries out a prepared change in the one fixed order: record the case as
 * pending (its number, its idempotency key; the pending case is also the lock
 * on the target), call Roblox, which re-reads to verify, settle the case as
 * applied or failed, publish it, and report.
 */
export async function applyChange(deps: ModerationDeps, change: PreparedChange): Promise<CaseResult> {
  // Started now, not awaited: the avatar the case's reply and mod-log record show is fetched while
  // Roblox applies the change, and both find it in the cache instead of asking after it. Not at
  // prepare time: a change that waits for a confirmation may never be applied.
  void deps.profiles.avatarUrl(change.player.id, change.guildId);
  if (change.action === "ban") await guardDestructiveAction(deps, change.guildId, change.moderatorId);
  let row: CaseRow;
  try {
    row = await recordCase(deps.db, change.evidenceId, {
      guildId: change.guildId,
      action: change.action,
      robloxUserId: change.player.id,
      robloxUsername: change.player.name,
      universeId: change.universeId,
      placeId: change.placeId ?? null,
      durationSeconds: change.durationSeconds,
      privateReason: change.privateReason || null,
      publicReason: change.publicReason ?? null,
      excludeAltAccounts: change.excludeAltAccounts,
      moderatorDiscordId: change.moderatorId,
      source: "discord",
      idempotencyKey: randomUUID(),
      ownerProcess: deps.processId,
    });
  } catch (error) {
    if (violates(error, "cases_one_pending_per_target")) {
      throw new UserError(
        `Another moderator is changing ${nameOf(change.player)}'s ban in ${where(change)} right now. ` +
          "Look at `/case list` in a moment before trying again.",
      );
    }
    throw error;
  }
  return carryOut(deps, row, change.roblox);
}

const evidenceGone = () => new UserError("The evidence file of this /ban is no longer held; run /ban again with the file attached.");

/**
 * Records the case, and joins the held evidence file to it in the same
 * transaction: a ban recorded without the evidence its moderator attached
 * would be a case that lost part of itself.
 */
async function recordCase(db: Database, evidenceId: number | undefined, input: NewCase): Promise<CaseRow> {
  if (evidenceId === undefined) return createCase(db, input);
  return db.transaction(async (tx) => {
    const row = await createCase(tx, input);
    if (!(await attachWaitingEvidence(tx, evidenceId, row.id))) throw evidenceGone();
    return row;
  });
}

/**
 * Sends a recorded case to Roblox with its own idempotency key (so a retry
 * after a crash applies it once), settles it and publishes it. Shared by
 * fresh cases and start-up reconciliation.
 */
export async function carryOut(deps: ModerationDeps, pending: CaseRow, roblox: KeyedOpenCloud): Promise<CaseResult> {
  let outcome: CaseOutcome;
  try {
    const restriction = await callRoblox(pending, roblox);
    outcome = { status: "applied", expiresAt: restriction.endTime };
  } catch (error) {
    outcome = { status: "failed", error: describeFailure(error) };
    if (!(error instanceof OpenCloudError)) {
      await settleCase(deps.db, pending.id, deps.processId, outcome);
      throw error;
    }
  }
  const settled = await settleCase(deps.db, pending.id, deps.processId, outcome);
  return { row: settled, failure: outcome.status === "failed" ? outcome.error : undefined, published: await publish(deps, settled) };
}

async function callRoblox(row: CaseRow, roblox: KeyedOpenCloud): Promise<UserRestriction> {
  const target = { universeId: row.universeId ?? "", placeId: row.placeId ?? undefined, userId: row.robloxUserId };
  const idempotency = { key: row.idempotencyKey ?? row.id.toString(), firstSent: row.createdAt };
  return row.action === "ban"
    ? roblox.userRestrictions.ban({
        ...target,
        durationSeconds: row.durationSeconds ?? undefined,
        privateReason: row.privateReason ?? "",
        displayReason: row.publicReason ?? "",
        excludeAltAccounts: row.excludeAltAccounts,
        idempotency,
      })
    : roblox.userRestrictions.unban({ ...target, privateReason: row.privateReason ?? "", idempotency });
}

function describeFailure(error: unknown): string {
  if (error instanceof UnavailableError) {
    return `${userMessage(error)} The change may or may not have reached Roblox: check with /lookup before retrying.`;
  }
  return error instanceof OpenCloudError ? userMessage(error) : "Unexpected error inside Warden; see the bot's log.";
}

/** Times a publish sends the case again because it changed meanwhile; each change's own publish follows anyway. */
const REPUBLISH_LIMIT = 3;

/**
 * Posts or edits the case's mod-log message and remembers which message it
 * is. Two moderators changing one case at once (two notes, a note and a
 * reason) each publish it, and the edit made from the older read may land
 * last: so after each edit the case is read again, and while it changed
 * since the read that was shown, it is shown again.
 */
export async function publish(deps: ModerationDeps, row: CaseRow): Promise<PublishOutcome> {
  // A mass run's hundreds of cases make one summary post, not hundreds of embeds.
  if (row.bulkRunId !== null) return { posted: false, problem: "shown in its mass run's summary" };
  let shown = { row, notes: await summarizeCaseNotes(deps.db, row.id), evidence: await readShownEvidence(deps.db, row.id) };
  for (let sent = 1; ; sent++) {
    const outcome = await deps.publisher.publishCase(shown.row, shown.notes, shown.evidence);
    if (outcome.posted && outcome.messageId !== shown.row.modLogMessageId) {
      await setCaseLogMessage(deps.db, row.id, outcome.messageId);
    }
    if (!outcome.posted || sent > REPUBLISH_LIMIT) return outcome;
    const now = await findCaseById(deps.db, row.id);
    if (now === undefined) return outcome;
    const notes = await summarizeCaseNotes(deps.db, row.id);
    const files = await listEvidence(deps.db, row.id);
    const unchanged =
      now.updatedAt.getTime() === shown.row.updatedAt.getTime() &&
      notes?.latest.id === shown.notes?.latest.id &&
      files.at(-1)?.id === shown.evidence.files.at(-1)?.id;
    if (unchanged) return outcome;
    shown = { row: now, notes, evidence: await readShownEvidence(deps.db, row.id) };
  }
}

async function resolveTarget(deps: ModerationDeps, request: TargetRequest) {
  const placeId = request.placeId?.trim() || undefined;
  if (placeId !== undefined && canonicalId(placeId) === undefined) {
    throw new UserError(`\`${clipText(placeId, 30)}\` is not a place id: it is a number (Creator Hub -> place -> Copy Place ID).`);
  }
  const experience = await openLinkedExperience(deps, request.guildId, request.experience);
  // Side by side, but told in a fixed order: a wrong place is named first, whichever answer came first.
  const [placeChecked, resolved] = await Promise.allSettled([
    placeId === undefined ? undefined : checkPlace(experience, placeId),
    resolvePlayer(deps, experience.roblox, request.player, request.guildId),
  ]);
  if (placeChecked.status === "rejected") throw placeChecked.reason;
  if (resolved.status === "rejected") throw resolved.reason;
  const player = resolved.value;
  return {
    guildId: request.guildId,
    moderatorId: request.moderatorId,
    player,
    universeId: experience.universeId,
    experienceName: experience.displayName,
    placeId,
    roblox: experience.roblox,
  };
}

async function checkPlace(experience: LinkedExperience, placeId: string): Promise<void> {
  try {
    await experience.roblox.universes.getPlace(experience.universeId, placeId);
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new UserError(`Place ${placeId} is not part of ${experience.displayName} (universe ${experience.universeId}).`);
    }
    throw error;
  }
}

export function checkLength(text: string, max: number, option: string): string {
  if ([...text].length > max) {
    throw new UserError(`\`${option}\` is ${[...text].length} characters long; Roblox accepts at most ${max}.`);
  }
  return text;
}

const nameOf = (player: Player) => `**${player.name}** (${player.id})`;
const where = (target: { experienceName: string; placeId: string | undefined }) =>
  target.placeId === undefined ? target.experienceName : `place ${target.placeId} of ${target.experienceName}`;

/** A unique-constraint violation on `constraint`, whichever driver raised it and however drizzle wrapped it. */
export function violates(error: unknown, constraint: string): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if ("code" in current && current.code === "23505") {
      const named = "constraint" in current ? current.constraint : undefined;
      return named === undefined || named === constraint || current.message.includes(constraint);
    }
  }
  return false;
}
