import { hkdfSync } from "node:crypto";

/** What each web secret is for; one key per purpose, so a value made for one is never accepted as another. */
export type WebKeyPurpose = "appeal session cookie" | "appeal sign-in cookie" | "appeal csrf token" | "appeal address hash";

/**
 * A secret for the appeal pages, derived from the encryption key with HKDF:
 * every process of a deployment shares that key, so a cookie one process
 * signed is accepted by the next, and no new variable is needed.
 */
export function deriveWebKey(encryptionKey: Buffer, purpose: WebKeyPurpose): Buffer {
  return Buffer.from(hkdfSync("sha256", encryptionKey, Buffer.alloc(0), `warden ${purpose}`, 32));
}
