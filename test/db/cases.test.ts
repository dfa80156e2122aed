import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CaseTakenOverError,
  claimExpiredBans,
  countCasesForUsers,
  createCase,
  findCase,
  listCasesForUser,
  settleCase,
  takeOverAbandonedCases,
  type NewCase,
} from "../../src/db/cases.js";
import { forgetProcess, heartbeat } from "../../src/db/processes.js";
import { processes } from "../../src/db/schema.js";
import { openDatabase } from "../../src/db/connection.js";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.js";

const GUILD = "123456789012345678";
const OTHER_GUILD = "223456789012345678";

let nextPlayer = 1_000;
/** A pending ban of a new player each time: pending cases of one player are the per-target lock. */
/** The process recording these cases: only it settles them. */
const PROCESS = "test-process";

const ban = (guildId: string, robloxUserId = String((nextPlayer += 1))): NewCase => ({
  guildId,
  ownerProcess: PROCESS,
  action: "ban",
  robloxUserId,
  robloxUsername: "builderman",
  universeId: "1",
  durationSeconds: 3600,
  privateReason: "exploiting",
  publicReason: "Exploiting",
  moderatorDiscordId: "323456789012345678",
});

describe.each(["postgres", "pglite"] as const)("cases on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database.destroy();
  });

  it("numbers cases per guild, starting at 1", async () => {
    const first = await createCase(database.handle.db, ban(GUILD));
    const second = await createCase(database.handle.db, ban(GUILD));
    const elsewhere = await createCase(database.handle.db, ban(OTHER_GUILD));
    expect([first.number, second.number, elsewhere.number]).toEqual([1, 2, 1]);
    expect(first.status).toBe("pending");
    expect(await findCase(database.handle.db, GUILD, 2)).toMatchObject({ id: second.id, robloxUserId: second.robloxUserId });
  });

  it("takes numbers race-free from concurrent callers", async () => {
    const guildId = "423456789012345678";
    const created = await Promise.all(Array.from({ length: 60 }, () => createCase(database.handle.db, ban(guildId))));
    expect(created.map((row) => row.number).sort((a, b) => a - b)).toEqual(range(1, 60));
  });

  it("lists a player's cases newest first", async () => {
    const guildId = "523456789012345678";
    await createCase(database.handle.db, { ...ban(guildId, "777"), status: "applied" });
    await createCase(database.handle.db, ban(guildId, "888"));
    await createCase(database.handle.db, ban(guildId, "777"));
    const rows = await listCasesForUser(database.handle.db, guildId, "777");
    expect(rows.map((row) => row.number)).toEqual([3, 1]);
  });

  it("settles a case with Roblox's expiry, or with why it failed", async () => {
    const db = database.handle.db;
    const expiresAt = new Date("2031-02-03T04:05:06.789Z");
    const applied = await settleCase(db, (await createCase(db, ban(GUILD))).id, PROCESS, { status: "applied", expiresAt });
    expect(applied).toMatchObject({ status: "applied", expiresAt, error: null });
    const failed = await settleCase(db, (await createCase(db, ban(GUILD))).id, PROCESS, { status: "failed", error: "Roblox is down" });
    expect(failed).toMatchObject({ status: "failed", expiresAt: null, error: "Roblox is down" });
    await expect(settleCase(db, 987_654_321, PROCESS, { status: "applied", expiresAt: null })).rejects.toBeInstanceOf(CaseTakenOverError);
  });

  it("counts each player's cases in one guild", async () => {
    const guildId = "723456789012345678";
    await createCase(database.handle.db, { ...ban(guildId, "31"), status: "applied" });
    await createCase(database.handle.db, ban(guildId, "31"));
    await createCase(database.handle.db, ban(OTHER_GUILD, "32"));
    const counts = await countCasesForUsers(database.handle.db, guildId, ["31", "32", "33"]);
    expect([...counts]).toEqual([["31", 2]]);
  });

  it("hands each ban that ran out over once, flagging one a later unban replaced, and nothing still running", async () => {
    const db = database.handle.db;
    const guildId = "823456789012345678";
    const applied = async (robloxUserId: string, expiresAt: Date | null, action: "ban" | "unban" = "ban") => {
      const row = await createCase(db, { ...ban(guildId, robloxUserId), action, universeId: "77" });
      return settleCase(db, row.id, PROCESS, { status: "applied", expiresAt });
    };
    const past = (ms: number) => new Date(Date.now() - ms);
    const ranOut = await applied("41", past(5_000));
    const replaced = await applied("42", past(10_000));
    await applied("42", null, "unban");
    await applied("43", new Date(Date.now() + 60_000));
    await applied("44", null);
    const claimed = await claimExpiredBans(db, 10, undefined);
    expect(claimed.map((row) => [row.id, row.superseded])).toEqual([
      [replaced.id, true],
      [ranOut.id, false],
    ]);
    expect(claimed[1]?.expiryAnnouncedAt).toBeInstanceOf(Date);
    expect(await claimExpiredBans(db, 10, undefined)).toEqual([]);
  });

  it("hands a shard's process only the ran-out bans of that shard's guilds", async () => {
    const db = database.handle.db;
    // (guild_id >> 22) % 2: the first guild is on shard 0, the second on shard 1.
    const [onShard0, onShard1] = ["923456789012345678", "923456789016539982"];
    const ranOut = async (guildId: string) => {
      const row = await createCase(db, { ...ban(guildId, "51"), universeId: `9${guildId.slice(-3)}` });
      return settleCase(db, row.id, PROCESS, { status: "applied", expiresAt: new Date(Date.now() - 1_000) });
    };
    const first = await ranOut(onShard0);
    const second = await ranOut(onShard1);
    expect((await claimExpiredBans(db, 10, { id: 1, count: 2 })).map((row) => row.id)).toEqual([second.id]);
    expect((await claimExpiredBans(db, 10, { id: 1, count: 2 })).map((row) => row.id)).toEqual([]);
    expect((await claimExpiredBans(db, 10, { id: 0, count: 2 })).map((row) => row.id)).toEqual([first.id]);
  });

  it("lets only the process that holds a pending case settle it, and a live process take over a dead one's", async () => {
    const db = database.handle.db;
    const [alive, dead, taker] = ["process-alive", "process-dead", "process-taker"];
    await heartbeat(db, alive);
    await heartbeat(db, dead);
    await heartbeat(db, taker);
    await db.update(processes).set({ heartbeatAt: sql`now() - interval '1 minute'` }).where(eq(processes.id, dead));
    const ofAlive = await createCase(db, { ...ban(GUILD), ownerProcess: alive });
    const ofDead = await createCase(db, { ...ban(GUILD), ownerProcess: dead });

    await expect(settleCase(db, ofAlive.id, taker, { status: "applied", expiresAt: null })).rejects.toBeInstanceOf(CaseTakenOverError);
    const taken = await takeOverAbandonedCases(db, taker, 20);
    expect(taken.map((row) => row.id)).toContain(ofDead.id);
    expect(taken.map((row) => row.id)).not.toContain(ofAlive.id);
    expect(await takeOverAbandonedCases(db, "another-taker", 20)).toEqual([]);

    // The dead process comes back to its answer: the case is no longer its to settle.
    await expect(settleCase(db, ofDead.id, dead, { status: "applied", expiresAt: null })).rejects.toBeInstanceOf(CaseTakenOverError);
    expect(await settleCase(db, ofDead.id, taker, { status: "applied", expiresAt: null })).toMatchObject({ status: "applied" });
    await expect(settleCase(db, ofDead.id, taker, { status: "failed", error: "twice" })).rejects.toBeInstanceOf(CaseTakenOverError);

    // A process that stops cleanly leaves its pending cases to be taken over at once.
    await forgetProcess(db, alive);
    expect((await takeOverAbandonedCases(db, taker, 20)).map((row) => row.id)).toEqual([ofAlive.id]);
  });

  it("holds one pending change per player and target, from any guild, until it settles", async () => {
    const db = database.handle.db;
    const first = await createCase(db, ban(GUILD, "4242"));
    await expect(createCase(db, ban(OTHER_GUILD, "4242"))).rejects.toThrow();
    await expect(createCase(db, { ...ban(GUILD, "4242"), action: "unban" })).rejects.toThrow();
    const atPlace = await createCase(db, { ...ban(GUILD, "4242"), placeId: "9" });
    await settleCase(db, first.id, PROCESS, { status: "applied", expiresAt: null });
    await settleCase(db, atPlace.id, PROCESS, { status: "failed", error: "test" });
    expect((await createCase(db, ban(GUILD, "4242"))).status).toBe("pending");
  });

  it.each(["group_remove", "group_ban", "group_unban"] as const)("records a %s read from a group's audit log, never without its group", async (action) => {
    const fromAuditLog: NewCase = {
      guildId: GUILD,
      action,
      robloxUserId: "6004",
      groupId: "9",
      moderatorDiscordId: null,
      robloxModeratorId: "4242",
      source: "group_audit_log",
      status: "applied",
    };
    expect(await createCase(database.handle.db, fromAuditLog)).toMatchObject({ action, groupId: "9", robloxModeratorId: "4242" });
    await expect(createCase(database.handle.db, { ...fromAuditLog, groupId: null })).rejects.toThrow();
  });

  it.each([
    ["a non-numeric Roblox id", { robloxUserId: "builderman" }],
    ["a ban without a universe", { universeId: null }],
    ["a place without a universe", { universeId: null, placeId: "5" }],
    ["a zero duration", { durationSeconds: 0 }],
    ["a duration past Roblox's maximum", { durationSeconds: 315576000001 }],
    ["a public reason over 400 characters", { publicReason: "x".repeat(401) }],
    ["a private reason over 1000 characters", { privateReason: "x".repeat(1001) }],
    ["a failed case without its error", { status: "failed" as const }],
    ["a Discord case without a moderator", { moderatorDiscordId: null }],
    ["a bad guild id", { guildId: "not-a-snowflake" }],
  ])("refuses %s and does not use up a number", async (_what, override) => {
    const guildId = "623456789012345678";
    const before = await createCase(database.handle.db, ban(guildId));
    await expect(createCase(database.handle.db, { ...ban(guildId), ...override })).rejects.toThrow();
    const after = await createCase(database.handle.db, ban(guildId));
    expect(after.number).toBe(before.number + 1);
  });
});

describe("case numbers across many PostgreSQL connections", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
  });
  afterAll(async () => {
    await database.destroy();
  });

  it("come out 1..N with no gap and no duplicate", async () => {
    // Four pools stand in for four bot processes; each runs many transactions at once.
    const processes = await Promise.all(
      Array.from({ length: 4 }, () => openDatabase({ databaseUrl: database.url, dataDir: "unused", poolSize: 10 })),
    );
    try {
      const perProcess = 100;
      const created = await Promise.all(
        processes.flatMap((process) =>
          Array.from({ length: perProcess }, () => createCase(process.db, ban(GUILD))),
        ),
      );
      const numbers = created.map((row) => row.number).sort((a, b) => a - b);
      expect(numbers).toEqual(range(1, processes.length * perProcess));
    } finally {
      await Promise.all(processes.map((process) => process.close()));
    }
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}
