import type { Attachment } from "discord.js";
import { clipText } from "../services/clipText.js";
import { UserError } from "../services/userError.js";

/** Long enough for a file of a few MiB over a slow link; a stuck download must not hold the command for its 15 minutes. */
const DOWNLOAD_TIMEOUT_MS = 15_000;

/**
 * The bytes of a file attached to a command, downloaded when the command
 * arrives: Discord's attachment links are signed and expire. Only from
 * Discord's CDN (`cdnUrl`), and never past `maxBytes` (checked against the
 * size Discord states, then again while reading): past it, `tooBig` is
 * thrown.
 */
export async function downloadAttachment(attachment: Attachment, options: { cdnUrl: string; maxBytes: number; tooBig: UserError }): Promise<Buffer> {
  const name = `\`${clipText(attachment.name.replace(/`/g, "'"), 80)}\``;
  if (attachment.size > options.maxBytes) throw options.tooBig;
  if (!attachment.url.startsWith(`${options.cdnUrl}/`)) throw new UserError(`${name} is not a file uploaded to Discord; attach it to the command.`);
  let response: Response;
  try {
    response = await fetch(attachment.url, { redirect: "error", signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch {
    throw new UserError(`${name} could not be downloaded from Discord just now; try again.`);
  }
  if (response.status === 403 || response.status === 404) {
    throw new UserError(`The link to ${name} has expired; run the command again with the file attached.`);
  }
  if (!response.ok || response.body === null) throw new UserError(`${name} could not be downloaded from Discord just now; try again.`);

  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for await (const chunk of response.body) {
      length += chunk.length;
      if (length > options.maxBytes) throw options.tooBig;
      chunks.push(chunk);
    }
  } catch (error) {
    if (error === options.tooBig) throw error;
    throw new UserError(`${name} could not be downloaded from Discord just now; try again.`);
  }
  return Buffer.concat(chunks);
}

/** The text of a list file attached to a command: at most `maxBytes`, and only UTF-8 text. */
export async function readAttachedText(attachment: Attachment, options: { cdnUrl: string; maxBytes: number }): Promise<string> {
  const name = `\`${attachment.name}\``;
  const tooBig = new UserError(`${name} is larger than ${Math.round(options.maxBytes / 1024)} KiB, the most a list file may be.`);
  const bytes = await downloadAttachment(attachment, { ...options, tooBig });
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    if (text.includes("\u0000")) throw new Error("binary");
    return text;
  } catch {
    throw new UserError(`${name} is not a text file: a list is plain text (UTF-8), one player per line.`);
  }
}
