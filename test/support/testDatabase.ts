import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { openDatabase, type DatabaseHandle, type DatabaseKind } from "../../src/db/connection.js";
import { createDatabase, dropDatabase } from "./postgresServer.js";

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

export async function createTestDatabase(
  kind: DatabaseKind,
  options: { migrate?: boolean; /** A server of the test's own instead of the run's. */ serverUrl?: string } = {},
): Promise<TestDatabase> {
  const database = kind === "postgres" ? await createPostgresDatabase(options.serverUrl ?? inject("postgresServerUrl")) : createPgliteDirectory();
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

async function createPostgresDatabase(serverUrl: string) {
  const name = `warden_test_${randomBytes(6).toString("hex")}`;
  return {
    url: await createDatabase(serverUrl, name),
    dataDir: tmpdir(),
    drop: () => dropDatabase(serverUrl, name),
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
