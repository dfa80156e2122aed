import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const ALGORITHM = "aes-256-gcm";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** What `api_keys` stores: never the plaintext. */
export interface SealedApiKey {
  /** Ciphertext with the GCM tag appended. */
  ciphertext: Buffer;
  nonce: Buffer;
  fingerprint: string;
}

export class ApiKeyDecryptionError extends Error {
  constructor() {
    super(
      "A stored API key cannot be decrypted: ENCRYPTION_KEY is not the key it was stored with, or the row was altered. " +
        "Restore the original ENCRYPTION_KEY, or link the experience or group again with a new API key.",
    );
    this.name = "ApiKeyDecryptionError";
  }
}

/**
 * A short, stable, one-way name for a key, safe to show in Discord and logs so
 * staff can tell which key is linked without ever seeing it again.
 */
export function fingerprintApiKey(apiKey: string): string {
  return `sha256:${createHash("sha256").update(apiKey, "utf8").digest("hex").slice(0, 12)}`;
}

/**
 * AES-256-GCM with a random nonce per key. `context` (the owning guild) is
 * bound as associated data, so a ciphertext copied into another guild's row
 * does not decrypt there.
 */
export function createApiKeyCipher(encryptionKey: Buffer) {
  if (encryptionKey.length !== 32) throw new Error("The API key encryption key must be 32 bytes.");

  return {
    seal(apiKey: string, context: string): SealedApiKey {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv(ALGORITHM, encryptionKey, nonce);
      cipher.setAAD(Buffer.from(context, "utf8"));
      const ciphertext = Buffer.concat([cipher.update(apiKey, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return { ciphertext, nonce, fingerprint: fingerprintApiKey(apiKey) };
    },

    open(sealed: Pick<SealedApiKey, "ciphertext" | "nonce">, context: string): string {
      if (sealed.nonce.length !== NONCE_BYTES || sealed.ciphertext.length < TAG_BYTES) {
        throw new ApiKeyDecryptionError();
      }
      const body = sealed.ciphertext.subarray(0, sealed.ciphertext.length - TAG_BYTES);
      const tag = sealed.ciphertext.subarray(sealed.ciphertext.length - TAG_BYTES);
      const decipher = createDecipheriv(ALGORITHM, encryptionKey, sealed.nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, "utf8"));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
      } catch {
        // GCM refuses to authenticate: wrong key or tampered bytes. Never return what it produced.
        throw new ApiKeyDecryptionError();
      }
    },
  };
}

export type ApiKeyCipher = ReturnType<typeof createApiKeyCipher>;
