import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle as drizzlePostgres } from "drizzle-orm/node-postgres";
import { migrate as migratePostgres } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import pg from "pg";
import { StartupError } from "../startupError.js";
import * as schema from "./schema.js";

const migrationsFolder = findMigrations(path.dirname(fileURLToPath(import.meta.url)));

/**
 * The committed migrations folder at the package root, found by walking up:
 * this module runs from `src/db/` under tsx and from `dist/src/db/` once built.
 */
function findMigrations(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "migrations");
    if (existsSync(path.join(candidate, "meta", "_journal.json"))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`No migrations folder above ${from}: the package is incomplete.`);
  }
}

/** One query surface for both drivers: services never learn which one they run on. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DatabaseKind = "postgres" | "pglite";

export interface DatabaseHandle {
  db: Database;
  kind: DatabaseKind;
  /**
   * Applies the committed migrations that have not run yet; a no-op when all
   * have. Several processes starting at once take turns.
   */
  migrate(): Promise<void>;
  /**
   * Raw SQL for a library that brings its own (the pg-boss job queue), on
   * this same database whichever driver it is. With `values`, `text` is one
   * parameterised statement; without, it may be several statements, even
   * with their own BEGIN ... COMMIT. Resolves to the last statement's rows.
   */
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A Postgres connection string; unset means the embedded database in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  poolSize?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  return options.databaseUrl === undefined
    ? openEmbedded(options.dataDir)
    : openPostgres(options.databaseUrl, options.poolSize ?? 10);
}

async function openPostgres(connectionString: string, poolSize: number): Promise<DatabaseHandle> {
  const pool = new pg.Pool({ connectionString, max: poolSize });
  // An idle client that loses its server emits 'error'; unhandled, that would kill the process.
  pool.on("error", () => undefined);
  try {
    const probe = await pool.connect();
    probe.release();
  } catch (error) {
    await pool.end();
    throw new DatabaseUnavailableError(describeTarget(connectionString), error);
  }
  return {
    db: drizzlePostgres(pool, { schema }),
    kind: "postgres",
    async migrate() {
      // A session-level advisory lock on one connection serialises processes that start together.
      const client = await pool.connect();
      try {
        await client.query("SELECT pg_advisory_lock(hashtext('warden:migrations'))");
        try {
          await migratePostgres(drizzlePostgres(client), { migrationsFolder });
        } finally {
          await client.query("SELECT pg_advisory_unlock(hashtext('warden:migrations'))");
        }
      } finally {
        client.release();
      }
    },
    async executeSql(text, values) {
      // Several statements without values answer with one result each.
      const results: pg.QueryResult | pg.QueryResult[] = await pool.query(text, values);
      return { rows: (Array.isArray(results) ? results.at(-1) : results)?.rows ?? [] };
    },
    close: () => pool.end(),
  };
}

async function openEmbedded(dataDir: string): Promise<DatabaseHandle> {
  const directory = path.resolve(dataDir, "pglite");
  await mkdir(directory, { recursive: true });
  // Loaded only when used: on PostgreSQL the embedded engine would cost tens of MiB for nothing.
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("drizzle-orm/pglite"),
    import("drizzle-orm/pglite/migrator"),
  ]);
  const client = await PGlite.create(directory);
  const db = drizzlePglite(client, { schema });
  return {
    db,
    kind: "pglite",
    // PGlite is one connection owned by this process: nothing can interleave.
    migrate: () => migratePglite(db, { migrationsFolder }),
    async executeSql(text, values) {
      if (values !== undefined && values.length > 0) return client.query<Record<string, unknown>>(text, values);
      // Statements of a script that fails after its own BEGIN would leave the one shared
      // connection in an aborted transaction, failing every later query of the bot. Inside
      // transaction() nothing else runs until the script ends, and a failure is rolled back.
      // (The script's BEGIN and COMMIT then only draw notices from the one already open.)
      const results = await client.transaction((tx) => tx.exec(text));
      return { rows: (results.at(-1)?.rows ?? []) as Record<string, unknown>[] };
    },
    close: () => client.close(),
  };
}

/** host:port/database, never the password. */
function describeTarget(connectionString: string): string {
  const url = new URL(connectionString);
  return `${url.hostname}:${url.port || "5432"}${url.pathname}`;
}

export class DatabaseUnavailableError extends StartupError {
  override name = "DatabaseUnavailableError";
  constructor(target: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Cannot connect to the database at ${target} (DATABASE_URL): ${reason}`, { cause });
  }
}
