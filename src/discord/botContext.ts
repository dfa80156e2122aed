import type { Database } from "../db/connection.js";
import type { ApiKeyCipher } from "../db/apiKeyCipher.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { OpenCloud } from "../opencloud/index.js";
import type { PlayerProfiles } from "../services/playerProfiles.js";
import type { ReviewBoard, SuspensionTimers } from "../services/ports.js";
import type { AppealsVariable } from "../config.js";
import type { DiscordAppealBoard } from "./appealBoard.js";
import type { ModLog } from "./modLog.js";
import type { TokenStore } from "./tokenStore.js";
import type { ReviewDeps } from "../services/joinRequests/postPendingRequests.js";

/** A bulk decision as confirmed: exactly the queue its confirmation showed. */
export interface BulkDecision {
  guildId: string;
  groupId: string;
  groupName: string;
  userIds: string[];
  decision: "accept" | "decline";
}
import type { AppealPostingDeps } from "../services/appeals/postAppeals.js";
import type { ActiveBans } from "../services/moderation/activeBans.js";
import type { BanRequest, ModerationDeps } from "../services/moderation/restrictions.js";
import type { PlayerSuggester } from "../services/moderation/suggestPlayers.js";
import type { PlayerChoice } from "./playerChoice.js";
import type { BulkRunner } from "../services/massModeration/bulkRun.js";
import type { BulkRunPreview } from "../services/massModeration/previewBulkRun.js";

/**
 * A permanent ban waiting for its "yes": the request, pinned to the exact
 * player and experience, and the names to show. No key: the click resolves
 * the link and its key again.
 */
export interface PendingBan {
  request: BanRequest;
  playerName: string;
  experienceName: string;
}

/** What every command, button and modal handler may use: passed in, never imported. */
export interface BotContext {
  db: Database;
  /** This process's id in the processes table: the cases it records are its own to settle. */
  processId: string;
  openCloud: OpenCloud;
  cipher: ApiKeyCipher;
  modLog: ModLog;
  logger: Logger;
  reviewBoard: ReviewBoard;
  /** The guilds' appeals channels. */
  appealBoard: DiscordAppealBoard;
  /** Where players appeal, or the variables this deployment still lacks for it (what /setup appeals tells staff). */
  appealPage: { url: string } | { missing: readonly AppealsVariable[] };
  /** Permanent bans waiting for their moderator's confirmation. */
  banConfirmations: TokenStore<PendingBan>;
  /** Commands waiting for their moderator to pick which of two players typed digits meant. */
  playerChoices: TokenStore<PlayerChoice>;
  /** Players' avatars and profiles, fetched once a minute whichever answers show them. */
  profiles: PlayerProfiles;
  /** Autocomplete's player suggestions, cached. */
  playerSuggester: PlayerSuggester;
  /** /bans lists being paged through. */
  banLists: TokenStore<ActiveBans>;
  /** Bulk join-request decisions waiting for their reviewer's confirmation. */
  bulkDecisions: TokenStore<BulkDecision>;
  /** Mass ban and unban previews waiting for Confirm. */
  bulkRunPreviews: TokenStore<BulkRunPreview>;
  /** The mass runs this process carries. */
  bulkRunner: BulkRunner;
  /** Files attached to commands are read only from links under this base (DISCORD_CDN_URL). */
  discordCdnUrl: string;
  /** Where /suspend asks for each suspension's restore. */
  suspensionTimers: SuspensionTimers;
  /** Set when metrics are served (HTTP_PORT). */
  metrics: Pick<Metrics, "interactionHandled" | "countRobloxCalls"> | undefined;
}

/** The moderation services' view of the context: the mod log is where cases are published. */
export function moderationDeps(context: BotContext): ModerationDeps {
  return { ...context, publisher: context.modLog, notices: context.modLog };
}

/** The appeal-posting services' view: the appeals channel beside the mod log. */
export function appealDeps(context: BotContext): ModerationDeps & AppealPostingDeps {
  return { ...moderationDeps(context), appealBoard: context.appealBoard };
}

/** The join-review services' view: automatic decisions are recorded as the bot's own. */
export function reviewDeps(context: BotContext, botUserId: string): ReviewDeps {
  return { ...moderationDeps(context), reviewBoard: context.reviewBoard, automationActorId: botUserId };
}
