import { and, asc, eq, isNull, lt, sql } from "drizzle-orm";
import type { Database } from "./connection.js";
import { cases, evidence } from "./schema.js";

/** A kept file as it is listed: everything but its bytes. */
export interface EvidenceFile {
  id: number;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  addedByDiscordId: string;
  createdAt: Date;
}

export interface EvidenceWithBytes extends EvidenceFile {
  bytes: Buffer;
}

export interface NewEvidence {
  guildId: string;
  sourceAttachmentId: string;
  fileName: string;
  contentType: string;
  sha256: string;
  bytes: Buffer;
  addedByDiscordId: string;
}

const listed = {
  id: evidence.id,
  fileName: evidence.fileName,
  contentType: evidence.contentType,
  size: evidence.size,
  sha256: evidence.sha256,
  addedByDiscordId: evidence.addedByDiscordId,
  createdAt: evidence.createdAt,
};

/** How long a /ban's file waits for its case: Discord's 15 minutes of an interaction, past a pick and a confirmation together. */
const WAITING_MINUTES = 15;

/**
 * Keeps a file attached to a /ban until its case is recorded, and drops
 * files whose /ban never recorded one (refused, not confirmed) once they are
 * older than any /ban could still be waiting, by the database's clock.
 */
export async function keepWaitingEvidence(db: Database, file: NewEvidence): Promise<number> {
  await db.delete(evidence).where(and(isNull(evidence.caseId), lt(evidence.createdAt, sql`now() - make_interval(mins => ${WAITING_MINUTES})`)));
  const [kept] = await db
    .insert(evidence)
    .values({ ...file, size: file.bytes.length })
    .returning({ id: evidence.id });
  if (kept === undefined) throw new Error("The evidence insert returned no row.");
  return kept.id;
}

/** The waiting file a moderator attached to a /ban in this guild, by its Discord attachment id; undefined once swept or taken. */
export async function findWaitingEvidence(
  db: Database,
  waiting: { guildId: string; addedByDiscordId: string; sourceAttachmentId: string },
): Promise<number | undefined> {
  const [row] = await db
    .select({ id: evidence.id })
    .from(evidence)
    .where(
      and(
        isNull(evidence.caseId),
        eq(evidence.guildId, waiting.guildId),
        eq(evidence.sourceAttachmentId, waiting.sourceAttachmentId),
        eq(evidence.addedByDiscordId, waiting.addedByDiscordId),
      ),
    )
    .orderBy(asc(evidence.id))
    .limit(1);
  return row?.id;
}

/** Joins a waiting file to its case; false when it is gone (swept) or already another case's. Run in the case's transaction. */
export async function attachWaitingEvidence(db: Database, evidenceId: number, caseId: number): Promise<boolean> {
  const attached = await db
    .update(evidence)
    .set({ caseId })
    .where(and(eq(evidence.id, evidenceId), isNull(evidence.caseId)))
    .returning({ id: evidence.id });
  return attached.length === 1;
}

export interface EvidenceLimits {
  maxFiles: number;
  maxTotalBytes: number;
}

export type AddedEvidence =
  | { added: true; file: EvidenceFile & { caseId: number } }
  | { added: false; reason: "no case" }
  | { added: false; reason: "too many"; files: number; totalBytes: number };

/**
 * Adds a file to the guild's case `number`, unless the case would then
 * hold more than the limits allow. The case row is locked while its files
 * are counted, so two files added at once are counted one after the other.
 */
export async function addEvidence(
  db: Database,
  caseNumber: number,
  file: NewEvidence,
  limits: EvidenceLimits,
): Promise<AddedEvidence> {
  return db.transaction(async (tx) => {
    const [target] = await tx
      .select({ id: cases.id })
      .from(cases)
      .where(and(eq(cases.guildId, file.guildId), eq(cases.number, caseNumber)))
      .for("update");
    if (target === undefined) return { added: false, reason: "no case" };
    const [held] = await tx
      .select({ files: sql<number>`count(*)::int`, totalBytes: sql<number>`coalesce(sum(${evidence.size}), 0)::int` })
      .from(evidence)
      .where(eq(evidence.caseId, target.id));
    const files = held?.files ?? 0;
    const totalBytes = held?.totalBytes ?? 0;
    if (files + 1 > limits.maxFiles || totalBytes + file.bytes.length > limits.maxTotalBytes) {
      return { added: false, reason: "too many", files, totalBytes };
    }
    const [added] = await tx
      .insert(evidence)
      .values({ ...file, caseId: target.id, size: file.bytes.length })
      .returning(listed);
    if (added === undefined) throw new Error("The evidence insert returned no row.");
    return { added: true, file: { ...added, caseId: target.id } };
  });
}

/** A case's files in the order they were added, without their bytes. */
export async function listEvidence(db: Database, caseId: number): Promise<EvidenceFile[]> {
  return db.select(listed).from(evidence).where(eq(evidence.caseId, caseId)).orderBy(asc(evidence.id));
}

/** A case's files with their bytes, in the order they were added: what `/case show` attaches. */
export async function readEvidence(db: Database, caseId: number): Promise<EvidenceWithBytes[]> {
  return db
    .select({ ...listed, bytes: evidence.bytes })
    .from(evidence)
    .where(eq(evidence.caseId, caseId))
    .orderBy(asc(evidence.id));
}

/** One file's bytes; undefined when it is not the case's. */
export async function readEvidenceBytes(db: Database, caseId: number, evidenceId: number): Promise<Buffer | undefined> {
  const [row] = await db
    .select({ bytes: evidence.bytes })
    .from(evidence)
    .where(and(eq(evidence.id, evidenceId), eq(evidence.caseId, caseId)));
  return row?.bytes;
}
