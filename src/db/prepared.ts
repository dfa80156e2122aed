import type { Database } from "./connection.js";

const statements = new WeakMap<Database, Map<string, unknown>>();

/**
 * A statement built and prepared once per database, for the queries on every
 * moderation action's path: drizzle building them each time cost more than
 * the database running them. `name` is also the server-side statement name.
 */
export function prepared<T>(db: Database, name: string, build: (db: Database, name: string) => T): T {
  let byName = statements.get(db);
  if (byName === undefined) {
    byName = new Map();
    statements.set(db, byName);
  }
  if (!byName.has(name)) byName.set(name, build(db, name));
  return byName.get(name) as T;
}
