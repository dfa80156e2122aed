import { ApiKeyDecryptionError, type ApiKeyCipher } from "../db/apiKeyCipher.js";
import { listLinkedKeys, recordKeyCheck, revealApiKey, type LinkedKey } from "../db/apiKeys.js";
import type { Database } from "../db/connection.js";
import type { Logger } from "../log.js";
import type { WorkScope } from "../shards.js";
import { OpenCloudError, UnauthenticatedError, missingScopes, type KeyIntrospection, type OpenCloud } from "../opencloud/index.js";
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
    const diagnosis = await diagnose(deps, key, now);
    if (diagnosis === undefined) {
      report.unknown += 1;
      continue;
    }
    const { problem } = diagnosis;
    await recordKeyCheck(deps.db, key.apiKeyId, diagnosis);
    if (problem === key.problem) continue;
    report.changed += 1;
    deps.logger.warn({ guildId: key.guildId, kind: key.kind, robloxId: key.robloxId, problem }, "API key health changed");
    await deps.notices.postSetupNotice(key.guildId, describeChange(key, problem));
  }
  return report;
}

interface Diagnosis {
  /** What is wrong with the key; null when nothing. */
  problem: string | null;
  /** Whose key it is, when Roblox said. */
  ownerId: string | undefined;
}

/** What Roblox says of the key; undefined when it could not be asked. */
async function diagnose(deps: KeyHealthDeps, key: LinkedKey, now: Date): Promise<Diagnosis | undefined> {
  let revealed;
  try {
    revealed = await revealApiKey(deps.db, deps.cipher, key.guildId, key.apiKeyId);
  } catch (error) {
    if (error instanceof ApiKeyDecryptionError) {
      return { problem: "can't be read: the bot's ENCRYPTION_KEY changed since it was stored", ownerId: undefined };
    }
    throw error;
  }
  // Unlinked since the list was read: nothing to say.
  if (revealed === undefined) return undefined;
  let introspection;
  try {
    introspection = await deps.openCloud.apiKeys.introspect(revealed.secret);
  } catch (error) {
    if (error instanceof UnauthenticatedError) return { problem: "is no longer accepted by Roblox: it was deleted or revoked", ownerId: undefined };
    if (error instanceof OpenCloudError) return undefined;
    throw error;
  }
  return { problem: problemOf(introspection, key, now), ownerId: introspection.authorizedUserId ?? undefined };
}

function problemOf(introspection: KeyIntrospection, key: LinkedKey, now: Date): string | null {
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
