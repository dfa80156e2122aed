import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ENCRYPTION_KEY_FILE, resolveEncryptionKey } from "../../src/db/encryptionKey.js";
import { StartupError } from "../../src/startupError.js";

/** A database with nothing sealed yet. */
const empty = async () => false;

describe("resolveEncryptionKey", () => {
  const dirs: string[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), "warden-key-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("uses ENCRYPTION_KEY when set and writes nothing", async () => {
    const dataDir = freshDir();
    const configured = Buffer.alloc(32, 1);
    const warnings: string[] = [];
    const key = await resolveEncryptionKey({ configured, dataDir, holdsSealedData: empty, warn: (message) => warnings.push(message) });
    expect(key).toEqual(configured);
    expect(warnings).toEqual([]);
    expect(() => statSync(path.join(dataDir, ENCRYPTION_KEY_FILE))).toThrow();
  });

  it("generates a key once into DATA_DIR, private to its owner, with a warning that says how to set it", async () => {
    const dataDir = path.join(freshDir(), "nested", "deeper");
    const warnings: string[] = [];
    const first = await resolveEncryptionKey({ configured: undefined, dataDir, holdsSealedData: empty, warn: (message) => warnings.push(message) });
    const second = await resolveEncryptionKey({ configured: undefined, dataDir, holdsSealedData: empty, warn: (message) => warnings.push(message) });

    expect(first).toHaveLength(32);
    expect(second).toEqual(first);
    expect(warnings).toHaveLength(1);
    const file = path.join(dataDir, ENCRYPTION_KEY_FILE);
    expect(warnings[0]).toContain(`ENCRYPTION_KEY is not set, so a key for encrypting API keys was generated in ${file}.`);
    expect(warnings[0]).toContain("set ENCRYPTION_KEY");
    expect(warnings[0]).toContain("keep a backup of it: without it, stored API keys cannot be decrypted.");
    expect(warnings[0]).not.toContain(first.toString("base64"));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, "utf8").trim(), "base64")).toEqual(first);
  });

  it("refuses a damaged key file instead of replacing it", async () => {
    const dataDir = freshDir();
    writeFileSync(path.join(dataDir, ENCRYPTION_KEY_FILE), "not a key\n");
    await expect(resolveEncryptionKey({ configured: undefined, dataDir, holdsSealedData: empty, warn: () => undefined })).rejects.toThrow(
      /does not hold a 32-byte base64 key/,
    );
  });

  it("generates no key when the database already holds sealed keys, and says to restore the original", async () => {
    const dataDir = freshDir();
    const refused = resolveEncryptionKey({ configured: undefined, dataDir, holdsSealedData: async () => true, warn: () => undefined });
    await expect(refused).rejects.toThrow(StartupError);
    await expect(refused).rejects.toThrow(/ENCRYPTION_KEY is not set .* Set ENCRYPTION_KEY to that key, or put .*encryption\.key back/);
    await expect(refused).rejects.toThrow(/No new key was generated: it could never open the stored API keys\.$/);
    expect(() => statSync(path.join(dataDir, ENCRYPTION_KEY_FILE))).toThrow();
  });

  it("gives two processes starting together one key, and one warning", async () => {
    const dataDir = freshDir();
    const warnings: string[] = [];
    const options = { configured: undefined, dataDir, holdsSealedData: empty, warn: (message: string) => warnings.push(message) };
    const keys = await Promise.all([resolveEncryptionKey(options), resolveEncryptionKey(options), resolveEncryptionKey(options)]);
    expect(keys[1]).toEqual(keys[0]);
    expect(keys[2]).toEqual(keys[0]);
    expect(warnings).toHaveLength(1);
    expect(Buffer.from(readFileSync(path.join(dataDir, ENCRYPTION_KEY_FILE), "utf8").trim(), "base64")).toEqual(keys[0]);
  });

  it("reads the key file it finds, also when the database holds sealed keys", async () => {
    const dataDir = freshDir();
    const stored = Buffer.alloc(32, 7);
    writeFileSync(path.join(dataDir, ENCRYPTION_KEY_FILE), `${stored.toString("base64")}\n`);
    const warnings: string[] = [];
    const warn = (message: string) => warnings.push(message);
    const key = await resolveEncryptionKey({ configured: undefined, dataDir, holdsSealedData: async () => true, warn });
    expect(key).toEqual(stored);
    expect(warnings).toEqual([]);
  });

  it("stops on a key file it cannot read instead of generating another", async () => {
    const dataDir = freshDir();
    mkdirSync(path.join(dataDir, ENCRYPTION_KEY_FILE));
    await expect(resolveEncryptionKey({ configured: undefined, dataDir, holdsSealedData: empty, warn: () => undefined })).rejects.toMatchObject({
      code: "EISDIR",
    });
  });
});
