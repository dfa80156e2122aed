import { eq, sql } from "drizzle-orm";
import type { Database } from "./connection.js";
import { processes } from "./schema.js";

/** Records this process as alive, by the database's clock; again at every heartbeat. */
export async function heartbeat(db: Database, processId: string): Promise<void> {
  await db
    .insert(processes)
    .values({ id: processId })
    .onConflictDoUpdate({ target: processes.id, set: { heartbeatAt: sql`now()` } });
}

/** A process that stops cleanly says so, and what it left pending is taken over at once. */
export async function forgetProcess(db: Database, processId: string): Promise<void> {
  await db.delete(processes).where(eq(processes.id, processId));
}

/** Rows of processes dead this long are of no more use to anyone. */
export async function forgetDeadProcesses(db: Database, deadForSeconds: number): Promise<void> {
  await db.delete(processes).where(sql`${processes.heartbeatAt} < now() - make_interval(secs => ${deadForSeconds})`);
}
