import { afterEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.js";

// Every migration from nothing, in PGlite's WebAssembly: about 25 s on an idle 2-core machine, so the
// default 30 s guard fails it whenever the machine is busy.
describe.each(["postgres", "pglite"] as const)("migrations on %s", { timeout: 120_000 }, (kind) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.destroy();
    database = undefined;
  });

  it("apply to an empty database and create every table", async () => {
    database = await createTestDatabase(kind, { migrate: false });
    await database.handle.migrate();

    const tables = rowsOf(
      z.object({ table_name: z.string() }),
      await database.handle.db.execute(
        sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      ),
    );
    expect(tables.map((row) => row.table_name)).toEqual([
      "api_keys",
      "appeals",
      "bulk_runs",
      "case_notes",
      "cases",
      "encryption_canary",
      "evidence",
      "group_links",
      "guilds",
      "identify_turns",
      "join_request_reviews",
      "moderator_pauses",
      "pending_buttons",
      "processes",
      "rate_buckets",
      "staff_grants",
      "suspensions",
      "universe_links",
    ]);
  });

  it("are a no-op the second time", async () => {
    database = await createTestDatabase(kind);
    const before = await appliedMigrations(database);
    await database.handle.migrate();
    expect(await appliedMigrations(database)).toEqual(before);
    expect(before.length).toBeGreaterThan(0);
  });
});

async function appliedMigrations(database: TestDatabase) {
  return rowsOf(
    z.object({ hash: z.string(), created_at: z.unknown() }),
    await database.handle.db.execute(sql`SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id`),
  );
}

/** Both drivers answer raw SQL with `{ rows }`; the shared Database type cannot say so. */
function rowsOf<Row extends z.ZodType>(row: Row, result: unknown): z.infer<Row>[] {
  return z.object({ rows: z.array(row) }).parse(result).rows;
}
