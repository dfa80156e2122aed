import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApiKeyDecryptionError, createApiKeyCipher, fingerprintApiKey } from "../../src/db/apiKeyCipher.js";

const API_KEY = "rbx-open-cloud-key-" + "k".repeat(120);
const GUILD = "123456789012345678";

describe("API key cipher", () => {
  const cipher = createApiKeyCipher(randomBytes(32));

  it("round-trips a key and never stores the plaintext", () => {
    const sealed = cipher.seal(API_KEY, GUILD);
    expect(sealed.nonce).toHaveLength(12);
    expect(sealed.ciphertext.includes(Buffer.from(API_KEY))).toBe(false);
    expect(cipher.open(sealed, GUILD)).toBe(API_KEY);
  });

  it("round-trips an empty key and keys of any text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string(), (apiKey, context) => {
        expect(cipher.open(cipher.seal(apiKey, context), context)).toBe(apiKey);
      }),
    );
    expect(cipher.open(cipher.seal("", GUILD), GUILD)).toBe("");
  });

  it("refuses a nonce of another length with its own error, not the library's", () => {
    const sealed = cipher.seal(API_KEY, GUILD);
    for (const nonce of [Buffer.alloc(0), sealed.nonce.subarray(0, 11), Buffer.concat([sealed.nonce, Buffer.alloc(1)])]) {
      expect(() => cipher.open({ ...sealed, nonce }, GUILD)).toThrow(ApiKeyDecryptionError);
    }
  });

  it("uses a fresh nonce for every seal", () => {
    const a = cipher.seal(API_KEY, GUILD);
    const b = cipher.seal(API_KEY, GUILD);
    expect(a.nonce.equals(b.nonce)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
  });

  it("fails loudly with the wrong encryption key", () => {
    const sealed = cipher.seal(API_KEY, GUILD);
    const other = createApiKeyCipher(randomBytes(32));
    expect(() => other.open(sealed, GUILD)).toThrow(ApiKeyDecryptionError);
  });

  it("fails loudly on tampered ciphertext, tag or nonce", () => {
    const sealed = cipher.seal(API_KEY, GUILD);
    const flip = (buffer: Buffer, index: number) => {
      const copy = Buffer.from(buffer);
      copy[index] = (copy[index] ?? 0) ^ 1;
      return copy;
    };
    expect(() => cipher.open({ ...sealed, ciphertext: flip(sealed.ciphertext, 0) }, GUILD)).toThrow(ApiKeyDecryptionError);
    expect(() => cipher.open({ ...sealed, ciphertext: flip(sealed.ciphertext, sealed.ciphertext.length - 1) }, GUILD)).toThrow(
      ApiKeyDecryptionError,
    );
    expect(() => cipher.open({ ...sealed, nonce: flip(sealed.nonce, 3) }, GUILD)).toThrow(ApiKeyDecryptionError);
    expect(() => cipher.open({ ...sealed, ciphertext: sealed.ciphertext.subarray(0, 10) }, GUILD)).toThrow(
      ApiKeyDecryptionError,
    );
  });

  it("does not open a key copied into another guild", () => {
    const sealed = cipher.seal(API_KEY, GUILD);
    expect(() => cipher.open(sealed, "223456789012345678")).toThrow(ApiKeyDecryptionError);
  });

  it("keeps the key out of its error message", () => {
    const sealed = cipher.seal(API_KEY, GUILD);
    const error = (() => {
      try {
        createApiKeyCipher(randomBytes(32)).open(sealed, GUILD);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ApiKeyDecryptionError);
    expect(String((error as Error).message)).not.toContain(API_KEY.slice(0, 12));
    // Says what went wrong and what to do, under its own name in the logs.
    expect((error as Error).name).toBe("ApiKeyDecryptionError");
    expect((error as Error).message).toMatch(/^A stored API key cannot be decrypted: ENCRYPTION_KEY is not the key it was stored with/);
    expect((error as Error).message).toContain("or link the experience or group again with a new API key.");
  });

  it("gives a short, stable fingerprint that does not reveal the key", () => {
    expect(fingerprintApiKey(API_KEY)).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(fingerprintApiKey(API_KEY)).toBe(cipher.seal(API_KEY, GUILD).fingerprint);
    expect(fingerprintApiKey(API_KEY)).not.toBe(fingerprintApiKey(API_KEY + "x"));
  });

  it("refuses an encryption key that is not 32 bytes", () => {
    expect(() => createApiKeyCipher(randomBytes(16))).toThrow(/32 bytes/);
  });
});
