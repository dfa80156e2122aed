import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { inject } from "vitest";
import { openDatabase, type DatabaseHandle, type DatabaseKind } from "../../src/db/connection.js";

/**
 * A fresh, migrated database of either kind, owned by one test file:
 * its own database on the run's PostgreSQL server, or its own PGlite directory.
 */
export interface TestDatabase {
  handle: DatabaseHandle;
  /** Set for PostgreSQL: lets a test open more connections or processes on the same database. */
  url: string | undefined;
  destroy(): Promise<void>;
}

export async function createTestDatabase(kind: DatabaseKind, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const database = kind === "postgres" ? await createPostgresDatabase() : createPgliteDirectory();
  const handle = await openDatabase({ databaseUrl: database.url, dataDir: database.dataDir });
  if (options.migrate ?? true) await handle.migrate();
  return {
    handle,
    url: database.url,
    async destroy() {
      await handle.close();
      await database.drop();
    },
  };
}

async function createPostgresDatabase() {
  const serverUrl = inject("postgresServerUrl");
  const name = `warden_test_${randomBytes(6).toString("hex")}`;
  await withAdminClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir: tmpdir(),
    drop: () => withAdminClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

function createPgliteDirectory() {
  const dataDir = mkdtempSync(path.join(tmpdir(), "warden-pglite-"));
  return {
    url: undefined,
    dataDir,
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function withAdminClient<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
