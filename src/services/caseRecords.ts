import {
  appendCaseNote,
  changeCaseReason,
  findCase,
  findCaseById,
  listCaseNotes,
  pageCases,
  type CaseAction,
  type CaseFilter,
  type CaseNote,
  type CaseRow,
} from "../db/cases.js";
import type { Database } from "../db/connection.js";
import { addEvidence, readEvidence, type EvidenceFile, type EvidenceWithBytes } from "../db/evidence.js";
import { EVIDENCE_LIMITS, checkEvidence, type EvidenceUpload } from "./evidence/caseEvidence.js";
import { openAnyLink } from "./lookup.js";
import type { ExperienceDeps } from "./moderation/linkedExperience.js";
import type { ProfileDeps } from "./playerProfiles.js";
import { resolvePlayer } from "./moderation/resolvePlayer.js";
import { publish, type ModerationDeps } from "./moderation/restrictions.js";
import type { PublishOutcome } from "./ports.js";
import { UserError } from "./userError.js";

export interface CaseInFull {
  row: CaseRow;
  notes: { authorDiscordId: string; body: string; createdAt: Date }[];
  /** Every file kept with the case, bytes included, in the order they were added. */
  evidence: EvidenceWithBytes[];
}

/** A case with everything kept about it: `/case show` offers its files again from here, whatever became of Discord's copies. */
export async function showCase(db: Database, guildId: string, number: number): Promise<CaseInFull> {
  const row = await findCase(db, guildId, number);
  if (row === undefined) throw new UserError(`There is no case #${number} in this server.`);
  const [notes, evidence] = await Promise.all([listCaseNotes(db, row.id), readEvidence(db, row.id)]);
  return { row, notes, evidence };
}

/**
 * Keeps a file as evidence of a case, once its size and kind are checked
 * and within the case's limits, then edits the case's mod-log message to
 * list it (and show it, if it is an image). Refused, nothing changes.
 */
export async function addCaseEvidence(
  deps: ModerationDeps,
  request: { guildId: string; number: number; upload: EvidenceUpload; actorId: string },
): Promise<{ row: CaseRow; file: EvidenceFile; published: PublishOutcome }> {
  const checked = checkEvidence(request.upload, request.guildId, request.actorId);
  const added = await addEvidence(deps.db, request.number, checked, EVIDENCE_LIMITS);
  if (!added.added && added.reason === "no case") throw new UserError(`There is no case #${request.number} in this server.`);
  if (!added.added) {
    const { maxFiles, maxTotalBytes } = EVIDENCE_LIMITS;
    throw new UserError(
      `Case #${request.number} already keeps ${added.files} file${added.files === 1 ? "" : "s"} (${mebibytes(added.totalBytes)} MiB); ` +
        `a case keeps at most ${maxFiles} files and ${mebibytes(maxTotalBytes)} MiB of evidence. Nothing was added.`,
    );
  }
  const row = await findCaseById(deps.db, added.file.caseId);
  if (row === undefined) throw new Error(`Case ${added.file.caseId} vanished after its evidence was added.`);
  return { row, file: added.file, published: await publish(deps, row) };
}

const mebibytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, "");

/** A new private reason, kept with a note of who changed it, and the same mod-log message edited. */
export async function editCaseReason(
  deps: ModerationDeps,
  change: { guildId: string; number: number; reason: string; actorId: string },
): Promise<{ row: CaseRow; published: PublishOutcome }> {
  const reason = change.reason.trim();
  if (reason === "") throw new UserError("Give the new reason.");
  if ([...reason].length > 1_000) throw new UserError("A reason is at most 1,000 characters, as Roblox keeps it.");
  const row = await changeCaseReason(deps.db, { ...change, reason, authorDiscordId: change.actorId });
  if (row === undefined) throw new UserError(`There is no case #${change.number} in this server.`);
  return { row, published: await publish(deps, row) };
}

/** A note's length limit: what a mod-log embed field shows in full beside its author and time. */
export const NOTE_MAX_CHARACTERS = 900;

/**
 * Appends a moderator's note to a case (notes are never edited or removed),
 * then edits the case's mod-log message to show the count and the latest.
 */
export async function addCaseNote(
  deps: ModerationDeps,
  request: { guildId: string; number: number; text: string; actorId: string },
): Promise<{ row: CaseRow; note: CaseNote; published: PublishOutcome }> {
  const body = request.text.trim();
  if (body === "") throw new UserError("Write the note's text.");
  if ([...body].length > NOTE_MAX_CHARACTERS) throw new UserError(`A note is at most ${NOTE_MAX_CHARACTERS} characters.`);
  const added = await appendCaseNote(deps.db, { guildId: request.guildId, number: request.number, authorDiscordId: request.actorId, body });
  if (added === undefined) throw new UserError(`There is no case #${request.number} in this server.`);
  return { ...added, published: await publish(deps, added.row) };
}

/** Cases a page of `/case list` shows: with a reason cut to a line, ten always fit one message. */
const CASES_PER_PAGE = 10;

export interface CasesPage {
  filter: CaseFilter;
  /** The filtered player's name, from the page's newest case or as resolved; undefined without a player filter. */
  playerName: string | undefined;
  rows: CaseRow[];
  /** Zero-based, within `pages`. */
  page: number;
  pages: number;
  total: number;
}

export interface CaseListRequest {
  /** A username or numeric id, as typed. */
  player: string | undefined;
  moderatorId: string | undefined;
  action: CaseAction | undefined;
}

/**
 * The first page of the guild's cases that match, newest first. A player is
 * resolved as every command resolves one (digits that are an id and another
 * account's username are asked about), with the key of any of the guild's
 * links.
 */
export async function listCases(deps: ExperienceDeps & ProfileDeps, guildId: string, request: CaseListRequest): Promise<CasesPage> {
  if (request.player === undefined && request.moderatorId === undefined && request.action === undefined) {
    throw new UserError("Say which cases to list: a `user`, a `moderator`, an `action`, or several of them.");
  }
  const player =
    request.player === undefined ? undefined : await resolvePlayer(deps, await openAnyLink(deps, guildId), request.player, guildId);
  const filter = { robloxUserId: player?.id, moderatorDiscordId: request.moderatorId, action: request.action };
  return readCasesPage(deps.db, guildId, filter, 0, player?.name);
}

/**
 * One page of the guild's matching cases, read afresh at every click: a page
 * asked past the end shows the last one. A filtered player's name is the one
 * the page's newest case recorded, else `knownName`, else the id.
 */
export async function readCasesPage(
  db: Database,
  guildId: string,
  filter: CaseFilter,
  requestedPage: number,
  knownName?: string,
): Promise<CasesPage> {
  const read = (page: number) => pageCases(db, guildId, filter, { offset: page * CASES_PER_PAGE, limit: CASES_PER_PAGE });
  const requested = await read(requestedPage);
  const pages = Math.max(1, Math.ceil(requested.total / CASES_PER_PAGE));
  const page = Math.min(requestedPage, pages - 1);
  const { rows, total } = page === requestedPage ? requested : await read(page);
  const playerName = filter.robloxUserId === undefined ? undefined : (rows[0]?.robloxUsername ?? knownName ?? filter.robloxUserId);
  return { filter, playerName, rows, page, pages, total };
}
