import { changeCaseReason, findCase, listCaseNotes, pageCasesForUser, type CaseRow } from "../db/cases.js";
import type { Database } from "../db/connection.js";
import { openAnyLink } from "./lookup.js";
import type { ExperienceDeps } from "./moderation/linkedExperience.js";
import type { ProfileDeps } from "./playerProfiles.js";
import { resolvePlayer } from "./moderation/resolvePlayer.js";
import { publish, type ModerationDeps } from "./moderation/restrictions.js";
import type { PublishOutcome } from "./ports.js";
import { UserError } from "./userError.js";

export interface CaseWithNotes {
  row: CaseRow;
  notes: { authorDiscordId: string; body: string; createdAt: Date }[];
}

export async function showCase(db: Database, guildId: string, number: number): Promise<CaseWithNotes> {
  const row = await findCase(db, guildId, number);
  if (row === undefined) throw new UserError(`There is no case #${number} in this server.`);
  return { row, notes: await listCaseNotes(db, row.id) };
}

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

/** Cases a page of `/case list` shows: with a reason cut to a line, ten always fit one message. */
const CASES_PER_PAGE = 10;

export interface PlayerCasesPage {
  playerId: string;
  playerName: string;
  rows: CaseRow[];
  /** Zero-based, within `pages`. */
  page: number;
  pages: number;
  total: number;
}

/**
 * The first page of a player's cases in this guild, newest first. The player
 * is resolved as every command resolves one (digits that are an id and
 * another account's username are asked about), with the key of any of the
 * guild's links.
 */
export async function listPlayerCases(
  deps: ExperienceDeps & ProfileDeps,
  guildId: string,
  typed: string,
): Promise<PlayerCasesPage> {
  const player = await resolvePlayer(deps, await openAnyLink(deps, guildId), typed, guildId);
  return readPlayerCasesPage(deps.db, guildId, player, 0);
}

/**
 * One page of a player's cases in this guild, read afresh at every click: a
 * page asked past the end shows the last one. The name is the one the
 * page's newest case recorded, else `player.name`.
 */
export async function readPlayerCasesPage(
  db: Database,
  guildId: string,
  player: { id: string; name: string },
  requestedPage: number,
): Promise<PlayerCasesPage> {
  const read = (page: number) => pageCasesForUser(db, guildId, player.id, { offset: page * CASES_PER_PAGE, limit: CASES_PER_PAGE });
  const requested = await read(requestedPage);
  const pages = Math.max(1, Math.ceil(requested.total / CASES_PER_PAGE));
  const page = Math.min(requestedPage, pages - 1);
  const { rows, total } = page === requestedPage ? requested : await read(page);
  return { playerId: player.id, playerName: rows[0]?.robloxUsername ?? player.name, rows, page, pages, total };
}
