import { createHash } from "node:crypto";
import { keepWaitingEvidence, listEvidence, readEvidenceBytes, type EvidenceFile, type NewEvidence } from "../../db/evidence.js";
import type { Database } from "../../db/connection.js";
import { EVIDENCE_MAX_BYTES } from "../../db/schema.js";
import { clipText } from "../clipText.js";
import type { ShownEvidence } from "../ports.js";
import { UserError } from "../userError.js";
import { checkFileType, isEmbeddable } from "./fileTypes.js";

const MIB = 1024 * 1024;

/**
 * What a self-hosted database is asked to keep: a file up to 8 MiB (under
 * Discord's default 10 MiB per uploaded file, so every kept file can be sent
 * again), and per case at most 10 files (the most one Discord message
 * carries) and 24 MiB altogether (a clip and a few screenshots).
 */
export const EVIDENCE_LIMITS = { maxFileBytes: EVIDENCE_MAX_BYTES, maxFiles: 10, maxTotalBytes: 24 * MIB } as const;

/** A file as the moderator attached it, downloaded whole. */
export interface EvidenceUpload {
  /** The Discord attachment it came as. */
  attachmentId: string;
  fileName: string;
  bytes: Buffer;
}

/** A file name as kept: no control characters, at most 200 characters. */
const FILE_NAME_CHARACTERS = 200;

/** Checks a file's size and kind, by its bytes; what is kept of it. */
export function checkEvidence(upload: EvidenceUpload, guildId: string, addedBy: string): NewEvidence {
  const name = clipText(upload.fileName.replace(/\p{Cc}/gu, "").trim(), FILE_NAME_CHARACTERS) || "evidence";
  if (upload.bytes.length === 0) throw new UserError(`\`${clipText(name, 80)}\` is empty; attach the file itself.`);
  if (upload.bytes.length > EVIDENCE_LIMITS.maxFileBytes) throw tooBig(name);
  const type = checkFileType(name, upload.bytes);
  return {
    guildId,
    sourceAttachmentId: upload.attachmentId,
    fileName: name,
    contentType: type.contentType,
    sha256: createHash("sha256").update(upload.bytes).digest("hex"),
    bytes: upload.bytes,
    addedByDiscordId: addedBy,
  };
}

export const tooBig = (fileName: string) =>
  new UserError(`\`${clipText(fileName, 80)}\` is larger than ${EVIDENCE_LIMITS.maxFileBytes / MIB} MiB, the most an evidence file may be.`);

/**
 * Checks and keeps a file attached to a /ban when the command arrives,
 * before anything is asked of Roblox, so that bad evidence stops the ban
 * while the moderator can still retry. The case takes it when it is
 * recorded (`attachWaitingEvidence`).
 */
export async function holdBanEvidence(db: Database, upload: EvidenceUpload, guildId: string, moderatorId: string): Promise<void> {
  await keepWaitingEvidence(db, checkEvidence(upload, guildId, moderatorId));
}

/** The image a case's embed shows: its newest, the one a moderator added last to make a point. */
export function shownImage<File extends EvidenceFile>(files: readonly File[]): File | undefined {
  return files.findLast((file) => isEmbeddable(file.contentType));
}

/** What the case's mod-log message shows of its evidence: every file, and the shown image's bytes. */
export async function readShownEvidence(db: Database, caseId: number): Promise<ShownEvidence> {
  const files = await listEvidence(db, caseId);
  const latestImage = shownImage(files);
  const bytes = latestImage === undefined ? undefined : await readEvidenceBytes(db, caseId, latestImage.id);
  return { files, image: latestImage === undefined || bytes === undefined ? undefined : { file: latestImage, bytes } };
}
