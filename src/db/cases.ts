import { and, desc, eq, getTableColumns, gt, inArray, isNull, lte, notExists, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { WorkScope } from "../shards.js";
import type { Database } from "./connection.js";
import { prepared } from "./prepared.js";
import { caseNotes, cases, guilds, processes } from "./schema.js";
import { inShard } from "./shardFilter.js";

export type CaseRow = typeof cases.$inferSelect;

/** `cases.number` is a Postgres `integer`: a larger number cannot even be looked up. */
export const MAX_CASE_NUMBER = 2_147_483_647;

/** Everything a case says at creation; the number and timestamps are the database's, the expiry Roblox's once applied. */
export type NewCase = Omit<typeof cases.$inferInsert, "id" | "number" | "createdAt" | "updatedAt">;

/**
 * Records a case under the guild's next number, in one statement: a CTE bumps
 * the guild's counter row (INSERT ... ON CONFLICT DO UPDATE ... RETURNING) and
 * the case takes the number it returns. The row lock queues concurrent
 * writers, and a refused case rolls the bump back with it, so numbers come
 * out 1..N with no gap and no duplicate (MAX(number)+1 would race). One
 * round trip instead of a four-step transaction.
 */
export async function createCase(db: Database, input: NewCase): Promise<CaseRow> {
  const [created] = await prepared(db, "warden_create_case", prepareCaseInsert).execute({
    guildId: input.guildId,
    action: input.action,
    robloxUserId: input.robloxUserId,
    robloxUsername: input.robloxUsername ?? null,
    universeId: input.universeId ?? null,
    placeId: input.placeId ?? null,
    groupId: input.groupId ?? null,
    fromRoleId: input.fromRoleId ?? null,
    fromRoleName: input.fromRoleName ?? null,
    toRoleId: input.toRoleId ?? null,
    toRoleName: input.toRoleName ?? null,
    durationSeconds: input.durationSeconds ?? null,
    privateReason: input.privateReason ?? null,
    publicReason: input.publicReason ?? null,
    excludeAltAccounts: input.excludeAltAccounts ?? false,
    moderatorDiscordId: input.moderatorDiscordId ?? null,
    robloxModeratorId: input.robloxModeratorId ?? null,
    source: input.source ?? "discord",
    status: input.status ?? "pending",
    error: input.error ?? null,
    idempotencyKey: input.idempotencyKey ?? null,
    modLogMessageId: input.modLogMessageId ?? null,
    expiresAt: input.expiresAt?.toISOString() ?? null,
    ownerProcess: input.ownerProcess ?? null,
    bulkRunId: input.bulkRunId ?? null,
  });
  if (created === undefined) throw new Error("The case insert returned no row.");
  return created;
}

/** Every moderation action records a case. */
function prepareCaseInsert(db: Database, name: string) {
  const placeholder = (name: keyof NewCase) => sql.placeholder(name);
  const counter = db.$with("counter").as(
    db
      .insert(guilds)
      .values({ id: placeholder("guildId"), lastCaseNumber: 1 })
      .onConflictDoUpdate({
        target: guilds.id,
        set: { lastCaseNumber: sql`${guilds.lastCaseNumber} + 1`, updatedAt: sql`now()` },
      })
      .returning({ number: guilds.lastCaseNumber }),
  );
  return db
    .with(counter)
    .insert(cases)
    .values({
      guildId: placeholder("guildId"),
      number: sql`(SELECT ${counter.number} FROM ${counter})`,
      action: placeholder("action"),
      robloxUserId: placeholder("robloxUserId"),
      robloxUsername: placeholder("robloxUsername"),
      universeId: placeholder("universeId"),
      placeId: placeholder("placeId"),
      groupId: placeholder("groupId"),
      fromRoleId: placeholder("fromRoleId"),
      fromRoleName: placeholder("fromRoleName"),
      toRoleId: placeholder("toRoleId"),
      toRoleName: placeholder("toRoleName"),
      durationSeconds: placeholder("durationSeconds"),
      privateReason: placeholder("privateReason"),
      publicReason: placeholder("publicReason"),
      excludeAltAccounts: placeholder("excludeAltAccounts"),
      moderatorDiscordId: placeholder("moderatorDiscordId"),
      robloxModeratorId: placeholder("robloxModeratorId"),
      source: placeholder("source"),
      status: placeholder("status"),
      error: placeholder("error"),
      idempotencyKey: placeholder("idempotencyKey"),
      modLogMessageId: placeholder("modLogMessageId"),
      // Bound as text: drizzle would map a placeholder through Date's toISOString, and null has none.
      expiresAt: sql`${placeholder("expiresAt")}`,
      ownerProcess: placeholder("ownerProcess"),
      bulkRunId: placeholder("bulkRunId"),
    })
    .returning()
    .prepare(name);
}

export async function findCaseById(db: Database, caseId: number): Promise<CaseRow | undefined> {
  const [row] = await db.select().from(cases).where(eq(cases.id, caseId));
  return row;
}

export async function findCase(db: Database, guildId: string, number: number): Promise<CaseRow | undefined> {
  const [row] = await db
    .select()
    .from(cases)
    .where(and(eq(cases.guildId, guildId), eq(cases.number, number)));
  return row;
}

export async function listCasesForUser(db: Database, guildId: string, robloxUserId: string): Promise<CaseRow[]> {
  return prepared(db, "warden_cases_for_user", (database, name) =>
    database
      .select()
      .from(cases)
      .where(and(eq(cases.guildId, sql.placeholder("guildId")), eq(cases.robloxUserId, sql.placeholder("robloxUserId"))))
      .orderBy(desc(cases.number))
      .prepare(name),
  ).execute({ guildId, robloxUserId });
}

export type CaseAction = CaseRow["action"];

/** What `/case list` narrows a guild's cases to; every field left out matches every case. */
export interface CaseFilter {
  robloxUserId?: string | undefined;
  moderatorDiscordId?: string | undefined;
  action?: CaseAction | undefined;
}

/** One page of the guild's cases that match the filter, newest first, and how many match in all. */
export async function pageCases(
  db: Database,
  guildId: string,
  filter: CaseFilter,
  page: { offset: number; limit: number },
): Promise<{ rows: CaseRow[]; total: number }> {
  const matching = and(
    eq(cases.guildId, guildId),
    filter.robloxUserId === undefined ? undefined : eq(cases.robloxUserId, filter.robloxUserId),
    filter.moderatorDiscordId === undefined ? undefined : eq(cases.moderatorDiscordId, filter.moderatorDiscordId),
    filter.action === undefined ? undefined : eq(cases.action, filter.action),
  );
  const [rows, [counted]] = await Promise.all([
    db.select().from(cases).where(matching).orderBy(desc(cases.number)).limit(page.limit).offset(page.offset),
    db.select({ total: sql<number>`count(*)::int` }).from(cases).where(matching),
  ]);
  return { rows, total: counted?.total ?? 0 };
}

export type CaseOutcome =
  | { status: "applied"; expiresAt: Date | null }
  | { status: "failed"; error: string };

/** Settles a pending case; returns it as it now is. */
export async function settleCase(db: Database, caseId: number, processId: string, outcome: CaseOutcome): Promise<CaseRow> {
  const [row] = await prepared(db, "warden_settle_case", (database, name) =>
    database
      .update(cases)
      .set({
        status: sql`${sql.placeholder("status")}`,
        expiresAt: sql`${sql.placeholder("expiresAt")}`,
        error: sql`${sql.placeholder("error")}`,
        updatedAt: sql`now()`,
      })
      .where(
        and(
          eq(cases.id, sql.placeholder("caseId")),
          eq(cases.status, "pending"),
          eq(cases.ownerProcess, sql.placeholder("processId")),
        ),
      )
      .returning()
      .prepare(name),
  ).execute(
    outcome.status === "applied"
      ? { caseId, processId, status: "applied", expiresAt: outcome.expiresAt?.toISOString() ?? null, error: null }
      : { caseId, processId, status: "failed", expiresAt: null, error: outcome.error },
  );
  if (row === undefined) throw new CaseTakenOverError(caseId);
  return row;
}

/**
 * The case is no longer this process's to settle: it was settled, or a live
 * process took it over while this one had stopped heartbeating. The one that
 * holds it settles and publishes it; this one must not do either again.
 */
export class CaseTakenOverError extends Error {
  override name = "CaseTakenOverError";
  constructor(readonly caseId: number) {
    super(`Case ${caseId} is no longer pending in this process: another process settled or took it over.`);
  }
}

/**
 * Takes over the pending cases no live process holds: those of a process
 * whose heartbeat stopped (or that stopped cleanly, with cases still
 * pending), and those recorded before cases had owners. One statement, so of
 * several live processes asking at once, each case goes to one.
 */
export async function takeOverAbandonedCases(db: Database, processId: string, deadAfterSeconds: number): Promise<CaseRow[]> {
  const liveOwner = db
    .select({ one: sql`1` })
    .from(processes)
    .where(and(eq(processes.id, cases.ownerProcess), gt(processes.heartbeatAt, sql`now() - make_interval(secs => ${deadAfterSeconds})`)));
  const rows = await db
    .update(cases)
    .set({ ownerProcess: processId, updatedAt: sql`now()` })
    .where(and(eq(cases.status, "pending"), notExists(liveOwner)))
    .returning();
  return rows.sort((a, b) => a.id - b.id);
}

export async function setCaseLogMessage(db: Database, caseId: number, messageId: string): Promise<void> {
  await db.update(cases).set({ modLogMessageId: messageId }).where(eq(cases.id, caseId));
}

/** How many cases wait for their Roblox call to be settled, in every guild. */
export async function countPendingCases(db: Database): Promise<number> {
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(cases).where(eq(cases.status, "pending"));
  return row?.count ?? 0;
}

/** A temporary ban whose time ran out; `superseded` when a later ban or unban of the same target replaced it. */
export type ExpiredBan = CaseRow & { superseded: boolean };

/**
 * Takes up to `limit` temporary bans that ran out and were not announced,
 * soonest expired first, marking them announced in the same statement: of
 * several processes, one gets each. Bans replaced before they ran out are
 * taken too, flagged, so that they leave the queue without a notice.
 */
export async function claimExpiredBans(db: Database, limit: number, shard: WorkScope["shard"]): Promise<ExpiredBan[]> {
  const later = alias(cases, "later");
  const due = db
    .select({ id: cases.id })
    .from(cases)
    .where(
      and(
        eq(cases.action, "ban"),
        eq(cases.status, "applied"),
        isNull(cases.expiryAnnouncedAt),
        lte(cases.expiresAt, sql`now()`),
        inShard(cases.guildId, shard),
      ),
    )
    .orderBy(cases.expiresAt)
    .limit(limit)
    .for("update", { skipLocked: true });
  const claimed = await db
    .update(cases)
    .set({ expiryAnnouncedAt: sql`now()` })
    .where(inArray(cases.id, due))
    .returning({
      ...getTableColumns(cases),
      superseded: sql<boolean>`EXISTS (${db
        .select({ one: sql`1` })
        .from(later)
        .where(
          and(
            eq(later.universeId, cases.universeId),
            sql`${later.placeId} IS NOT DISTINCT FROM ${cases.placeId}`,
            eq(later.robloxUserId, cases.robloxUserId),
            inArray(later.action, ["ban", "unban"]),
            eq(later.status, "applied"),
            gt(later.id, cases.id),
          ),
        )})`,
    });
  // RETURNING keeps no order.
  return claimed.sort((a, b) => (a.expiresAt?.getTime() ?? 0) - (b.expiresAt?.getTime() ?? 0));
}

/** Cases a process left in flight, oldest first. */
export async function listPendingCases(db: Database): Promise<CaseRow[]> {
  return db.select().from(cases).where(eq(cases.status, "pending")).orderBy(cases.id);
}

/**
 * Replaces a case's private reason and keeps the change as a note, in one
 * transaction, so the history says who changed what.
 */
export async function changeCaseReason(
  db: Database,
  change: { guildId: string; number: number; reason: string; authorDiscordId: string },
): Promise<CaseRow | undefined> {
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ id: cases.id, privateReason: cases.privateReason })
      .from(cases)
      .where(and(eq(cases.guildId, change.guildId), eq(cases.number, change.number)))
      .for("update");
    if (before === undefined) return undefined;
    const [row] = await tx
      .update(cases)
      .set({ privateReason: change.reason, updatedAt: sql`now()` })
      .where(eq(cases.id, before.id))
      .returning();
    await tx.insert(caseNotes).values({
      caseId: before.id,
      authorDiscordId: change.authorDiscordId,
      body: `Reason changed from "${before.privateReason ?? ""}" to "${change.reason}".`,
    });
    return row;
  });
}

export async function listCaseNotes(db: Database, caseId: number) {
  return db.select().from(caseNotes).where(eq(caseNotes.caseId, caseId)).orderBy(caseNotes.id);
}

export type CaseNote = typeof caseNotes.$inferSelect;

/** Appends a note to the guild's case `number`; undefined when there is no such case. The case is returned as it is. */
export async function appendCaseNote(
  db: Database,
  note: { guildId: string; number: number; authorDiscordId: string; body: string },
): Promise<{ row: CaseRow; note: CaseNote } | undefined> {
  const row = await findCase(db, note.guildId, note.number);
  if (row === undefined) return undefined;
  const [added] = await db.insert(caseNotes).values({ caseId: row.id, authorDiscordId: note.authorDiscordId, body: note.body }).returning();
  if (added === undefined) throw new Error("The note insert returned no row.");
  return { row, note: added };
}

export type NotesSummary = { count: number; latest: CaseNote };

/** How many notes a case has and its latest, in one read: what the mod-log message shows. */
export async function summarizeCaseNotes(db: Database, caseId: number): Promise<NotesSummary | undefined> {
  const [latest] = await db
    .select({ ...getTableColumns(caseNotes), count: sql<number>`(count(*) OVER ())::int` })
    .from(caseNotes)
    .where(eq(caseNotes.caseId, caseId))
    .orderBy(desc(caseNotes.id))
    .limit(1);
  if (latest === undefined) return undefined;
  const { count, ...note } = latest;
  return { count, latest: note };
}

/** The newest cases whose number starts with `typed`, for autocomplete. */
export async function listRecentCases(db: Database, guildId: string, typed: string, limit: number) {
  const digits = typed.replace(/[^0-9]/g, "");
  return db
    .select({ number: cases.number, action: cases.action, robloxUsername: cases.robloxUsername, robloxUserId: cases.robloxUserId })
    .from(cases)
    .where(and(eq(cases.guildId, guildId), digits === "" ? undefined : sql`${cases.number}::text LIKE ${`${digits}%`}`))
    .orderBy(desc(cases.number))
    .limit(limit);
}

/** The guild's settled bans and unbans in a universe since `since`: what Roblox's log may show of Warden. */
export async function listRestrictionCasesSince(db: Database, guildId: string, universeId: string, since: Date): Promise<CaseRow[]> {
  return db
    .select()
    .from(cases)
    .where(
      and(
        eq(cases.guildId, guildId),
        eq(cases.universeId, universeId),
        eq(cases.status, "applied"),
        inArray(cases.action, ["ban", "unban"]),
        gt(cases.updatedAt, since),
      ),
    )
    .orderBy(cases.id);
}

/** How many cases each of these players has in the guild; a player with none is absent. */
export async function countCasesForUsers(db: Database, guildId: string, robloxUserIds: readonly string[]): Promise<Map<string, number>> {
  if (robloxUserIds.length === 0) return new Map();
  const rows = await db
    .select({ robloxUserId: cases.robloxUserId, count: sql<number>`count(*)::int` })
    .from(cases)
    .where(and(eq(cases.guildId, guildId), inArray(cases.robloxUserId, [...robloxUserIds])))
    .groupBy(cases.robloxUserId);
  return new Map(rows.map((row) => [row.robloxUserId, row.count]));
}

/** The latest case of each of these players in the guild, for their names. */
export async function listCasesForUsers(db: Database, guildId: string, robloxUserIds: readonly string[]) {
  if (robloxUserIds.length === 0) return [];
  return db
    .selectDistinctOn([cases.robloxUserId], { robloxUserId: cases.robloxUserId, robloxUsername: cases.robloxUsername })
    .from(cases)
    .where(and(eq(cases.guildId, guildId), inArray(cases.robloxUserId, [...robloxUserIds])))
    .orderBy(cases.robloxUserId, desc(cases.number));
}

/** The guild's settled role changes and join decisions in a group since `since`: what its audit log may show of Warden. */
export async function listGroupCasesSince(db: Database, guildId: string, groupId: string, since: Date): Promise<CaseRow[]> {
  return db
    .select()
    .from(cases)
    .where(
      and(
        eq(cases.guildId, guildId),
        eq(cases.groupId, groupId),
        eq(cases.status, "applied"),
        eq(cases.source, "discord"),
        gt(cases.updatedAt, since),
      ),
    )
    .orderBy(cases.id);
}
