import { desc } from "drizzle-orm";
import { StartupError } from "../startupError.js";
import { ApiKeyDecryptionError, type ApiKeyCipher } from "./apiKeyCipher.js";
import type { Database } from "./connection.js";
import { apiKeys, encryptionCanary } from "./schema.js";

/** Any text would do; a fixed one lets the check tell the right key from a lucky decryption. */
const CANARY_TEXT = "warden encryption canary";
/** Bound as associated data. API keys are bound to guild ids (digits), so neither opens as the other. */
const CANARY_CONTEXT = "encryption-canary";

/** Whether the database holds anything sealed with an encryption key, which a new key could never open. */
export async function holdsSealedData(db: Database): Promise<boolean> {
  const [canary] = await db.select({ id: encryptionCanary.id }).from(encryptionCanary).limit(1);
  if (canary !== undefined) return true;
  const [stored] = await db.select({ id: apiKeys.id }).from(apiKeys).limit(1);
  return stored !== undefined;
}

/**
 * Refuses to start with a key that cannot open what the database was sealed
 * with, so a wrong ENCRYPTION_KEY stops the start instead of failing every
 * action later. The first start writes the canary; a database whose API keys
 * were stored before canaries existed is checked against its newest key
 * first. Processes starting together race on one insert and all check the
 * row that won.
 *
 * `keyFile` is where the key came from when ENCRYPTION_KEY is unset.
 */
export async function verifyEncryptionKey(db: Database, cipher: ApiKeyCipher, keyFile: string | undefined): Promise<void> {
  let canary = await readCanary(db);
  if (canary === undefined) {
    const [newest] = await db
      .select({ guildId: apiKeys.guildId, ciphertext: apiKeys.ciphertext, nonce: apiKeys.nonce })
      .from(apiKeys)
      .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
      .limit(1);
    if (newest !== undefined && openedBy(cipher, newest, newest.guildId) === undefined) throw wrongKey(keyFile);
    const { ciphertext, nonce } = cipher.seal(CANARY_TEXT, CANARY_CONTEXT);
    await db.insert(encryptionCanary).values({ ciphertext, nonce }).onConflictDoNothing();
    canary = await readCanary(db);
  }
  if (canary === undefined || openedBy(cipher, canary, CANARY_CONTEXT) !== CANARY_TEXT) throw wrongKey(keyFile);
}

async function readCanary(db: Database) {
  const [row] = await db.select({ ciphertext: encryptionCanary.ciphertext, nonce: encryptionCanary.nonce }).from(encryptionCanary);
  return row;
}

function openedBy(cipher: ApiKeyCipher, sealed: { ciphertext: Buffer; nonce: Buffer }, context: string): string | undefined {
  try {
    return cipher.open(sealed, context);
  } catch (error) {
    if (error instanceof ApiKeyDecryptionError) return undefined;
    throw error;
  }
}

function wrongKey(keyFile: string | undefined): StartupError {
  const which = keyFile === undefined ? "ENCRYPTION_KEY" : `The key in ${keyFile} (ENCRYPTION_KEY is not set)`;
  const fix =
    keyFile === undefined
      ? "Set ENCRYPTION_KEY to the original key (look for a copy mistake or a secret that was rotated)."
      : `Set ENCRYPTION_KEY to the original key, or put the original ${keyFile} back from a backup.`;
  return new StartupError(
    `${which} is not the key this database's API keys were sealed with: it does not open the value Warden sealed ` +
      `with the database's first key. ${fix} Warden does not start with it: every action using a stored key would fail.`,
  );
}
