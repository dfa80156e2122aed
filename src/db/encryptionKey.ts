import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { StartupError } from "../startupError.js";

export const ENCRYPTION_KEY_FILE = "encryption.key";

/** Where the generated key lives when ENCRYPTION_KEY is unset. */
export const encryptionKeyFile = (dataDir: string) => path.join(dataDir, ENCRYPTION_KEY_FILE);

export interface EncryptionKeyOptions {
  /** ENCRYPTION_KEY, already decoded; wins when set. */
  configured: Buffer | undefined;
  dataDir: string;
  /** Whether the database already holds data sealed with some key: then a new key is never generated. */
  holdsSealedData: () => Promise<boolean>;
  warn: (message: string) => void;
}

/**
 * The key that seals API keys at rest. A self-hoster who never set one still
 * gets encryption: a key is generated into DATA_DIR once and reused, with a
 * warning, because losing that file means losing every stored API key. A
 * database that already holds sealed keys gets no new key (it could never open
 * them): that is a lost key file or a changed DATA_DIR, and the start stops.
 */
export async function resolveEncryptionKey(options: EncryptionKeyOptions): Promise<Buffer> {
  if (options.configured !== undefined) return options.configured;

  const file = encryptionKeyFile(options.dataDir);
  const existing = await readKeyFile(file);
  if (existing !== undefined) return existing;
  if (await options.holdsSealedData()) {
    throw new StartupError(
      `ENCRYPTION_KEY is not set and ${file} does not exist, but the database already holds API keys sealed with a key. ` +
        `Set ENCRYPTION_KEY to that key, or put ${file} back from a backup (or point DATA_DIR at the directory that holds it). ` +
        "No new key was generated: it could never open the stored API keys.",
    );
  }

  const key = randomBytes(32);
  await mkdir(options.dataDir, { recursive: true });
  try {
    // "wx": of two processes starting together, one writes and the other reads its key.
    await writeFile(file, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    const written = errorCode(error) === "EEXIST" ? await readKeyFile(file) : undefined;
    if (written !== undefined) return written;
    throw error;
  }
  options.warn(
    `ENCRYPTION_KEY is not set, so a key for encrypting API keys was generated in ${file}. ` +
      "For production, set ENCRYPTION_KEY to that file's contents and keep a backup of it: " +
      "without it, stored API keys cannot be decrypted.",
  );
  return key;
}

async function readKeyFile(file: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== 32) {
    throw new StartupError(`${file} does not hold a 32-byte base64 key; restore it from a backup or set ENCRYPTION_KEY.`);
  }
  return key;
}

function errorCode(error: unknown): unknown {
  return error instanceof Error && "code" in error ? error.code : undefined;
}
