import { claimExpiredBans } from "../../db/cases.js";
import type { Database } from "../../db/connection.js";
import type { WorkScope } from "../../shards.js";
import type { ExpiryNotices } from "../ports.js";

export interface BanExpiryDeps {
  db: Database;
  notices: ExpiryNotices;
}

const BATCH = 50;

/**
 * Tells each guild's mod log (of one shard's guilds) when one of its temporary bans ran out
 * (Roblox lifts it by itself), once: a ban replaced by a later ban or unban
 * of the same player is passed over silently. Returns how many were told.
 */
export async function announceExpiredBans(deps: BanExpiryDeps, shard: WorkScope["shard"]): Promise<number> {
  let announced = 0;
  for (;;) {
    const claimed = await claimExpiredBans(deps.db, BATCH, shard);
    for (const row of claimed) {
      if (row.superseded) continue;
      await deps.notices.postBanExpired(row);
      announced += 1;
    }
    if (claimed.length < BATCH) return announced;
  }
}
