import { ApiKeyDecryptionError, type ApiKeyCipher } from "../db/apiKeyCipher.js";
import { listLinkedKeys, recordKeyCheck, revealApiKey, type LinkedKey } from "../db/apiKeys.js";
import type { Database } from "../db/connection.js";
import type { Logger } from "../log.js";
import type { WorkScope } from "../shards.js";
import { OpenCloudError, UnauthenticatedError, missingScopes, type OpenCloud } from "../opencloud/index.js";
import type { SetupNotices } from "./ports.js";
import { scopesNeeded } from "./setup.js";

export interface KeyHealthDeps {
  db: Database;
  openCloud: OpenCloud;
  cipher: ApiKeyCipher;
  notices: SetupNotices;
  logger: Pick<Logger, "warn">;
}

export interface KeyHealthReport {
  checked: number;
  /** Keys whose state changed, each announced to its guild. */
  changed: number;
  /** Keys Roblox could not be asked about this time (down, rate limited): left as they were. */
  unknown: number;
}

/** Warned this long before a key's expiry date: time for staff to rotate it. */
const EXPIRY_WARNING_MS = 7 * 86_400_000;

/**
 * Asks Roblox about every stored key of a shard's guilds and tells each guild when one of its
 * keys stops working (revoked, disabled, expired, a scope removed), is about
 * to expire, or works again: otherwise staff find out when a ban fails.
 * Each change is announced once; the finding is kept on the key.
 */
export async function checkApiKeys(deps: KeyHealthDeps, shard: WorkScope["shard"], now = new Date()): Promise<KeyHealthReport> {
  const report: KeyHealthReport = { checked: 0, changed: 0, unknown: 0 };
  for (const key of await listLinkedKeys(deps.db, shard)) {
    report.checked += 1;
    const problem = await diagnose(deps, key, now);
    if (problem === undefined) {
      report.unknown += 1;
      continue;
    }
    await recordKeyCheck(deps.db, key.apiKeyId, problem);
    if (problem === key.problem) continue;
    report.changed += 1;
    deps.logger.warn({ guildId: key.guildId, kind: key.kind, robloxId: key.robloxId, problem }, "API key health changed");
    await deps.notices.postSetupNotice(key.guildId, describeChange(key, problem));
  }
  return report;
}

/** What is wrong with the key, null when nothing, undefined when Roblox could not be asked. */
async function diagnose(deps: KeyHealthDeps, key: LinkedKey, now: Date): Promise<string | null | undefined> {
  let secret: string | undefined;
  try {
    secret = await revealApiKey(deps.db, deps.cipher, key.guildId, key.apiKeyId);
  } catch (error) {
    if (error instanceof ApiKeyDecryptionError) return "can't be read: the bot's ENCRYPTION_KEY changed since it was stored";
    throw error;
  }
  // Unlinked since the list was read: nothing to say.
  if (secret === undefined) return undefined;
  let introspection;
  try {
    introspection = await deps.openCloud.apiKeys.introspect(secret);
  } catch (error) {
    if (error instanceof UnauthenticatedError) return "is no longer accepted by Roblox: it was deleted or revoked";
    if (error instanceof OpenCloudError) return undefined;
    throw error;
  }
  if (!introspection.enabled) return "is disabled in Creator Hub";
  // Roblox also expires a key nobody used for 60 days.
  if (introspection.expired) return "has expired";
  const missing = missingScopes(introspection, scopesNeeded(key.kind, key.robloxId));
  if (missing.length > 0) return `lacks ${missing.map((scope) => `\`${scope}\``).join(" and ")}`;
  const expires = introspection.expirationTime;
  if (expires !== null && expires.getTime() - now.getTime() < EXPIRY_WARNING_MS) {
    return `expires <t:${Math.floor(expires.getTime() / 1_000)}:R>`;
  }
  return null;
}

function describeChange(key: LinkedKey, problem: string | null): string {
  const what = key.kind === "universe" ? "experience" : "group";
  const subject = `The API key of ${what} **${key.displayName}** (\`${key.robloxId}\`)`;
  if (problem === null) return `${subject} works again.`;
  const setup = key.kind === "universe" ? `/setup experience universe:${key.robloxId}` : `/setup group group:${key.robloxId}`;
  return `${subject} ${problem}. Until it is replaced, Warden can't act there: run \`${setup}\` with a working key.`;
}
