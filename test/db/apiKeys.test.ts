import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiKeyDecryptionError, createApiKeyCipher, fingerprintApiKey } from "../../src/db/apiKeyCipher.js";
import { recordKeyCheck, revealApiKey, storeApiKey } from "../../src/db/apiKeys.js";
import { apiKeys } from "../../src/db/schema.js";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.js";

const GUILD = "123456789012345678";
const OTHER_GUILD = "223456789012345678";
const ADMIN = "323456789012345678";
const API_KEY = `key-${randomBytes(48).toString("base64url")}`;

describe.each(["postgres", "pglite"] as const)("stored API keys on %s", (kind) => {
  let database: TestDatabase;
  const cipher = createApiKeyCipher(randomBytes(32));
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database.destroy();
  });

  it("stores only ciphertext and a fingerprint, and reveals the key to its guild", async () => {
    const stored = await storeApiKey(database.handle.db, cipher, {
      guildId: GUILD,
      label: "universe 1",
      apiKey: API_KEY,
      createdBy: ADMIN,
    });
    expect(stored).toMatchObject({ guildId: GUILD, label: "universe 1", fingerprint: fingerprintApiKey(API_KEY) });
    expect(JSON.stringify(stored)).not.toContain(API_KEY);

    const dump = await database.handle.db.execute(sql`SELECT * FROM ${apiKeys}`);
    expect(JSON.stringify(dump)).not.toContain(API_KEY);
    expect(JSON.stringify(dump)).not.toContain(Buffer.from(API_KEY).toString("hex"));

    expect(await revealApiKey(database.handle.db, cipher, GUILD, stored.id)).toEqual({ secret: API_KEY, ownerId: null });
    expect(await revealApiKey(database.handle.db, cipher, OTHER_GUILD, stored.id)).toBeUndefined();
  });

  it("rotates a label's key in place", async () => {
    const first = await storeApiKey(database.handle.db, cipher, { guildId: GUILD, label: "group 7", apiKey: "old", createdBy: ADMIN });
    const second = await storeApiKey(database.handle.db, cipher, { guildId: GUILD, label: "group 7", apiKey: "new", createdBy: ADMIN });
    expect(second.id).toBe(first.id);
    expect(second.fingerprint).toBe(fingerprintApiKey("new"));
    expect(await revealApiKey(database.handle.db, cipher, GUILD, first.id)).toMatchObject({ secret: "new" });
  });

  it("keeps the key's owner, and a health check fills it in for a key stored without one", async () => {
    const db = database.handle.db;
    const owned = await storeApiKey(db, cipher, { guildId: GUILD, label: "owned", apiKey: "a", ownerId: "9001", createdBy: ADMIN });
    expect(await revealApiKey(db, cipher, GUILD, owned.id)).toEqual({ secret: "a", ownerId: "9001" });

    const older = await storeApiKey(db, cipher, { guildId: GUILD, label: "older", apiKey: "b", createdBy: ADMIN });
    await recordKeyCheck(db, older.id, { problem: "is disabled in Creator Hub", ownerId: undefined });
    expect(await revealApiKey(db, cipher, GUILD, older.id)).toEqual({ secret: "b", ownerId: null });
    await recordKeyCheck(db, older.id, { problem: null, ownerId: "9002" });
    expect(await revealApiKey(db, cipher, GUILD, older.id)).toEqual({ secret: "b", ownerId: "9002" });
  });

  it("fails loudly when ENCRYPTION_KEY changed", async () => {
    const stored = await storeApiKey(database.handle.db, cipher, { guildId: GUILD, label: "x", apiKey: API_KEY, createdBy: ADMIN });
    const otherCipher = createApiKeyCipher(randomBytes(32));
    await expect(revealApiKey(database.handle.db, otherCipher, GUILD, stored.id)).rejects.toBeInstanceOf(ApiKeyDecryptionError);
  });
});
