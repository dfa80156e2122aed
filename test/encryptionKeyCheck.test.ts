import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startWarden } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { createApiKeyCipher } from "../src/db/apiKeyCipher.js";
import { storeApiKey } from "../src/db/apiKeys.js";
import { openDatabase } from "../src/db/connection.js";
import { ENCRYPTION_KEY_FILE } from "../src/db/encryptionKey.js";
import { encryptionCanary } from "../src/db/schema.js";
import { createLogger } from "../src/log.js";
import { StartupError } from "../src/startupError.js";
import { createTestDatabase, type TestDatabase } from "./support/testDatabase.js";

const TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB";
/** Nothing listens there: a start that gets past the key check fails at the Discord login instead. */
const UNREACHABLE_DISCORD = "http://127.0.0.1:9/api";
const GUILD = "123456789012345678";

/** What a start ends with: the refusal, or the login failure that shows the key was accepted. */
async function startOutcome(env: Record<string, string>): Promise<string> {
  const config = loadConfig({ DISCORD_TOKEN: TOKEN, DISCORD_API_URL: UNREACHABLE_DISCORD, ...env }, { requireDiscordToken: true });
  try {
    const warden = await startWarden(config, createLogger("silent"));
    await warden.stop();
    return "started";
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    return error.message;
  }
}

const ACCEPTED = /^Could not log in to Discord/;
/** Each start opens and migrates the database: PGlite takes seconds for that on a busy machine. */
const SLOW_START_MS = 180_000;
const WRONG_KEY = /is not the key this database's API keys were sealed with.*Set ENCRYPTION_KEY to the original key/;

describe.each(["postgres", "pglite"] as const)("the ENCRYPTION_KEY check at start on %s", (kind) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A fresh database and DATA_DIR; with PGlite, the database lives in that DATA_DIR. */
  async function setUp() {
    const dataDir = mkdtempSync(path.join(tmpdir(), "warden-keycheck-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    let postgres: TestDatabase | undefined;
    if (kind === "postgres") {
      postgres = await createTestDatabase("postgres", { migrate: false });
      cleanups.push(() => postgres?.destroy());
    }
    const env = { DATA_DIR: dataDir, ...(postgres?.url === undefined ? {} : { DATABASE_URL: postgres.url }) };
    /** Opens the same database between two starts, as an operator's tool would. */
    const withDatabase = async <T>(use: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> => {
      const handle = await openDatabase({ databaseUrl: postgres?.url, dataDir });
      try {
        await handle.migrate();
        return await use(handle);
      } finally {
        await handle.close();
      }
    };
    return { dataDir, env, withDatabase };
  }

  it("writes a canary at the first start, then refuses any other key and a lost key file", { timeout: SLOW_START_MS }, async () => {
    const { dataDir, env, withDatabase } = await setUp();
    expect(await startOutcome(env)).toMatch(ACCEPTED);
    expect(await withDatabase((handle) => handle.db.select().from(encryptionCanary))).toHaveLength(1);
    const keyFile = path.join(dataDir, ENCRYPTION_KEY_FILE);
    const original = readFileSync(keyFile, "utf8");

    const variable = await startOutcome({ ...env, ENCRYPTION_KEY: randomBytes(32).toString("base64") });
    expect(variable).toMatch(WRONG_KEY);
    expect(variable).not.toContain(original.trim());

    // Another installation's key file, copied in by mistake.
    writeFileSync(keyFile, `${randomBytes(32).toString("base64")}\n`);
    const file = await startOutcome(env);
    expect(file).toMatch(WRONG_KEY);
    expect(file).toContain(`The key in ${keyFile} (ENCRYPTION_KEY is not set)`);

    // A fresh DATA_DIR (or a lost file) against the same database: no key is generated over the stored ones.
    rmSync(keyFile);
    const missing = await startOutcome(env);
    expect(missing).toMatch(/^ENCRYPTION_KEY is not set and .*encryption\.key does not exist, but the database already holds API keys/);
    expect(missing).toContain("Set ENCRYPTION_KEY to that key");
    expect(existsSync(keyFile)).toBe(false);
  });

  it("checks a database whose keys were stored before canaries existed against its newest key, then writes the canary", { timeout: SLOW_START_MS }, async () => {
    const { env, withDatabase } = await setUp();
    const key = randomBytes(32);
    await withDatabase((handle) =>
      storeApiKey(handle.db, createApiKeyCipher(key), { guildId: GUILD, label: "universe 1", apiKey: "stored-before", createdBy: GUILD }),
    );

    expect(await startOutcome({ ...env, ENCRYPTION_KEY: randomBytes(32).toString("base64") })).toMatch(WRONG_KEY);
    expect(await withDatabase((handle) => handle.db.select().from(encryptionCanary))).toEqual([]);
    // Unset, with no key file: the stored key alone is enough to refuse generating one.
    expect(await startOutcome(env)).toMatch(/^ENCRYPTION_KEY is not set/);

    expect(await startOutcome({ ...env, ENCRYPTION_KEY: key.toString("base64") })).toMatch(ACCEPTED);
    expect(await withDatabase((handle) => handle.db.select().from(encryptionCanary))).toHaveLength(1);
  });
});
