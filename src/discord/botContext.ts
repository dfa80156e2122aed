import type { Database } from "../db/connection.js";
import type { ApiKeyCipher } from "../db/apiKeyCipher.js";
import type { Logger } from "../log.js";
import type { OpenCloud } from "../opencloud/index.js";
import type { ModLog } from "./modLog.js";
import type { PendingConfirmations } from "./pendingConfirmations.js";
import type { ModerationDeps, PreparedChange } from "../services/moderation/restrictions.js";

/** What every command, button and modal handler may use: passed in, never imported. */
export interface BotContext {
  db: Database;
  openCloud: OpenCloud;
  cipher: ApiKeyCipher;
  modLog: ModLog;
  logger: Logger;
  /** Permanent bans waiting for their moderator's confirmation. */
  banConfirmations: PendingConfirmations<PreparedChange>;
}

/** The moderation services' view of the context: the mod log is where cases are published. */
export function moderationDeps(context: BotContext): ModerationDeps {
  return { ...context, publisher: context.modLog };
}
