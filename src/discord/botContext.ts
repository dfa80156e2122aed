import type { Database } from "../db/connection.js";
import type { ApiKeyCipher } from "../db/apiKeyCipher.js";
import type { Logger } from "../log.js";
import type { OpenCloud } from "../opencloud/index.js";
import type { ModLog } from "./modLog.js";

/** What every command, button and modal handler may use: passed in, never imported. */
export interface BotContext {
  db: Database;
  openCloud: OpenCloud;
  cipher: ApiKeyCipher;
  modLog: ModLog;
  logger: Logger;
}
