// What every moderation command pays before it reaches Roblox: the permission
// gate's grant check plus recording the case. Measured on PostgreSQL and on
// the embedded PGlite, each against a bare `SELECT 1` round trip on the same
// driver as the floor. Target: p99 < 3 ms on PostgreSQL.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { createCase } from "../src/db/cases.js";
import { openDatabase, type DatabaseHandle } from "../src/db/connection.js";
import { grantPermission, hasGrant } from "../src/db/staffGrants.js";
import { createDatabase, dropDatabase, startPostgresServer } from "../test/support/postgresServer.js";
import { measure, ms } from "./stats.js";

const ITERATIONS = 5_000;
const GUILD = "123456789012345678";
const ROLE = "223456789012345678";
const MODERATOR = "323456789012345678";

export async function run(): Promise<void> {
  console.log(`\n## Grant check + case insert, ${ITERATIONS} iterations each`);
  await onPostgres();
  await onPglite();
}

async function onPostgres() {
  const given = process.env.BENCH_DATABASE_URL;
  const server = given ? undefined : await startPostgresServer();
  const url = given ?? server?.url ?? "";
  const name = `warden_bench_${process.pid}`;
  const handle = await openDatabase({ databaseUrl: await createDatabase(url, name), dataDir: tmpdir() });
  try {
    await report("PostgreSQL", handle, 3);
  } finally {
    await handle.close();
    await dropDatabase(url, name);
    server?.stop();
  }
}

async function onPglite() {
  const dataDir = mkdtempSync(path.join(tmpdir(), "warden-bench-"));
  const handle = await openDatabase({ databaseUrl: undefined, dataDir });
  try {
    await report("PGlite", handle, undefined);
  } finally {
    await handle.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function report(label: string, handle: DatabaseHandle, p99TargetMs: number | undefined) {
  await handle.migrate();
  const { db } = handle;
  await grantPermission(db, { guildId: GUILD, subject: { type: "role", id: ROLE }, permission: "ban", grantedBy: MODERATOR });

  const floor = await measure(ITERATIONS, () => db.execute(sql`SELECT 1`));
  const hotPath = await measure(ITERATIONS, async (index) => {
    const allowed = await hasGrant(db, { guildId: GUILD, permission: "ban", userId: MODERATOR, roleIds: [ROLE] });
    if (!allowed) throw new Error("the grant check denied a granted role");
    await createCase(db, {
      guildId: GUILD,
      action: "ban",
      robloxUserId: String(1_000_000 + index),
      universeId: "1",
      durationSeconds: 86_400,
      privateReason: "benchmark",
      moderatorDiscordId: MODERATOR,
    });
  });

  const verdict = p99TargetMs === undefined ? "" : hotPath.p99 < p99TargetMs ? ` (target < ${p99TargetMs} ms: met)` : ` (target < ${p99TargetMs} ms: MISSED)`;
  console.log(`${label}: grant check + case insert  p50 ${ms(hotPath.p50)}  p99 ${ms(hotPath.p99)}${verdict}`);
  console.log(`${label}: baseline SELECT 1           p50 ${ms(floor.p50)}  p99 ${ms(floor.p99)}`);
  console.log(`${label}: hot path / baseline p50 = ${(hotPath.p50 / floor.p50).toFixed(1)}x`);
}
