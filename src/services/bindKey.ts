import type { RevealedApiKey } from "../db/apiKeys.js";
import type { KeyedOpenCloud, OpenCloud } from "../opencloud/index.js";

/**
 * Open Cloud with a guild's stored key. The owner goes with it: Roblox counts
 * limits per key owner, so two keys of one owner must draw on one budget, not
 * two. The tenant (a guild, or a long run of one) takes turns with the others sharing a budget.
 */
export function bindKey(openCloud: OpenCloud, key: RevealedApiKey, tenant: string): KeyedOpenCloud {
  return openCloud.withKey(key.secret, { ownerId: key.ownerId ?? undefined, tenant });
}
