import type { Attachment, AttachmentPayload, EmbedBuilder } from "discord.js";
import type { EvidenceFile } from "../db/evidence.js";
import { clipText } from "../services/clipText.js";
import { EVIDENCE_LIMITS, tooBig, type EvidenceUpload } from "../services/evidence/caseEvidence.js";
import { extensionFor } from "../services/evidence/fileTypes.js";
import { downloadAttachment } from "./attachments.js";

/** An evidence file attached to a command, downloaded when it arrives (its link expires), never past the size kept. */
export async function downloadEvidence(attachment: Attachment, cdnUrl: string): Promise<EvidenceUpload> {
  const bytes = await downloadAttachment(attachment, { cdnUrl, maxBytes: EVIDENCE_LIMITS.maxFileBytes, tooBig: tooBig(attachment.name) });
  return { attachmentId: attachment.id, fileName: attachment.name, bytes };
}

/**
 * The name a kept file is sent under: its position in the case and its own
 * name's safe characters, with an extension of its detected kind. An embed
 * reaches its image by this name (`attachment://`), which only plain ASCII
 * names reliably match, and two files of a case named alike stay apart.
 */
export function sentName(file: EvidenceFile, files: readonly EvidenceFile[]): string {
  const position = files.findIndex((listed) => listed.id === file.id) + 1;
  const stem = file.fileName.replace(/\.[^.]*$/, "").replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 60);
  return `${position}-${stem || "evidence"}.${extensionFor(file.contentType, file.fileName)}`;
}

export function describeSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Lists a case's files in a field (name, size, who added it) and shows
 * `image` as the embed's image, by the name it is sent under.
 */
export function addEvidenceToEmbed(embed: EmbedBuilder, files: readonly EvidenceFile[], image: EvidenceFile | undefined): void {
  if (files.length === 0) return;
  const lines = files.map(
    (file, index) => `${index + 1}. \`${clipText(file.fileName.replace(/`/g, "'"), 60)}\` · ${describeSize(file.size)} · <@${file.addedByDiscordId}>`,
  );
  embed.addFields({ name: `Evidence (${files.length})`, value: clipText(lines.join("\n"), 1024) });
  if (image !== undefined) embed.setImage(`attachment://${sentName(image, files)}`);
}

/** A kept file of the case's `files` as a discord.js attachment of a message. */
export function evidenceAttachment(file: EvidenceFile, files: readonly EvidenceFile[], bytes: Buffer): AttachmentPayload {
  return { attachment: bytes, name: sentName(file, files) };
}
