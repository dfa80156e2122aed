import type { BulkRunRow } from "../db/bulkRuns.js";
import type { CaseRow, NotesSummary } from "../db/cases.js";
import type { EvidenceFile } from "../db/evidence.js";

/**
 * What the services need from the world outside them, as plain interfaces;
 * the Discord layer provides them, tests may provide others.
 */

export type PublishOutcome = { posted: true; messageId: string } | { posted: false; problem: string };

/** A case's evidence as its mod-log message shows it: every file listed, one image shown. */
export interface ShownEvidence {
  files: EvidenceFile[];
  /** The image shown in the embed, sent with the message from the bytes Warden keeps. */
  image: { file: EvidenceFile; bytes: Buffer } | undefined;
}

/** The guild's public record of a case: posted once, then edited in place as the case changes. */
export interface CasePublisher {
  /** Shows the case as `row`, `notes` and `evidence` say, which the caller read. */
  publishCase(row: CaseRow, notes: NotesSummary | undefined, evidence: ShownEvidence): Promise<PublishOutcome>;
}

/** What staff see about a join request before they decide. */
export interface JoinRequestCard {
  groupId: string;
  groupName: string;
  userId: string;
  username: string;
  displayName: string;
  accountCreated: Date | null;
  requestedAt: Date;
  /** Names of the linked experiences the player is banned in. */
  bannedIn: string[];
  previousCases: number;
}

/** The guild's join-request review channel. */
export interface ReviewBoard {
  /** Posts the card: with Approve/Decline buttons, or, when a rule already decided, with that decision. */
  postRequest(guildId: string, card: JoinRequestCard, decided?: string): Promise<PublishOutcome & { channelId?: string }>;
  /** Marks a posted card as decided: the decision shown, the buttons gone. */
  showDecision(channelId: string, messageId: string, decided: string): Promise<void>;
}

/** Notices about a guild's setup that nobody asked for (a key that stopped working), posted by the bot to the mod log. */
export interface SetupNotices {
  postSetupNotice(guildId: string, summary: string): Promise<void>;
}

/** The mod log's word that a temporary ban ran out, so staff need not watch the clock. */
export interface ExpiryNotices {
  postBanExpired(row: CaseRow): Promise<void>;
}

/** How a mass run stands, as its progress message and summary show it. */
export interface BulkRunProgress {
  total: number;
  applied: number;
  failed: number;
  remaining: number;
  /** Changes settled per minute since the run started. */
  perMinute: number;
  estimatedEnd: Date | undefined;
  state: "running" | "cancelled" | "finished";
  cancelledBy: string | null;
}

/** One player's outcome in a finished run. */
export interface BulkRunOutcome {
  userId: string;
  name: string;
  outcome: "applied" | "failed" | "not sent" | "skipped";
  detail: string;
}

/** Where a mass run is shown: its progress message in the channel it was started from, its summary in the mod log. */
export interface BulkRunBoard {
  /** Posts the progress message the first time (remembering it on the run), edits it afterwards. */
  showProgress(run: BulkRunRow, progress: BulkRunProgress): Promise<void>;
  /** One post per run in the mod log, with every entry's outcome attached. */
  postSummary(run: BulkRunRow, progress: BulkRunProgress, outcomes: readonly BulkRunOutcome[]): Promise<void>;
}

/** When each running suspension is to be lifted: a durable timer, kept across restarts and processes. */
export interface SuspensionTimers {
  /** Asks for the suspension to be lifted at its end; asking again for one already asked for adds nothing. */
  schedule(suspension: { id: number; guildId: string; endsAt: Date }): Promise<void>;
}

/** What staff see about a ban appeal before they decide. */
export interface AppealCard {
  appealId: number;
  player: { id: string; name: string | null; avatarUrl: string | undefined };
  experienceName: string;
  universeId: string;
  placeId: string | null;
  /** When Roblox says the appealed ban began. */
  banStartedAt: Date;
  /** Warden's case for the ban, when it has one: its number, reasons (the private one too: staff only) and end. */
  banCase: CaseRow | undefined;
  /** The player's own words: shown as plain text, never as markup. */
  text: string;
  submittedAt: Date;
}

/** How an appeal was decided, as its staff message shows it. */
export interface AppealDecision {
  state: "accepted" | "declined";
  decidedBy: string | null;
  decidedAt: Date;
  /** The unban an accepted appeal led to. */
  unbanCaseNumber?: number;
  /** What a declined appeal's player is told. */
  publicAnswer?: string | null;
}

/** The guild's appeals channel. */
export interface AppealBoard {
  /** Posts the appeal with Accept and Decline buttons. */
  postAppeal(channelId: string, card: AppealCard): Promise<PublishOutcome>;
  /** Marks a posted appeal as decided: the outcome shown, the buttons gone. */
  showDecision(channelId: string, messageId: string, decision: AppealDecision): Promise<void>;
}
