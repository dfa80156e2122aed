import { clipText } from "../clipText.js";
import { UserError } from "../userError.js";

/**
 * The kinds of file evidence may be, each told by its bytes. Hand-written
 * rather than a detection library: the set is small and closed, and each
 * signature is a few bytes at a fixed place (the list below is the whole of
 * it), where a library would add a dependency to recognise hundreds of kinds
 * we refuse anyway.
 */
export interface FileType {
  /** What is stored and sent as the file's content type. */
  contentType: string;
  /** How a moderator is told the kind: "PNG image". */
  label: string;
  /** The names a file of this kind may end with, lower case, the first being the one Warden gives it. */
  extensions: readonly string[];
  /** Discord shows it as an embed's image (docs: only .jpg, .jpeg, .png, .webp and .gif). */
  embeddable: boolean;
}

interface Signature extends FileType {
  matches(bytes: Buffer): boolean;
}

const at = (bytes: Buffer, offset: number, text: string) => bytes.subarray(offset, offset + text.length).toString("latin1") === text;

/** ISO base media brands of MP4 files (ISO/IEC 14496-12 and -14, and what phones and encoders write). */
const MP4_BRANDS = new Set(["isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "M4V ", "mmp4", "dash", "MSNV"]);
const brandOf = (bytes: Buffer) => (at(bytes, 4, "ftyp") ? bytes.subarray(8, 12).toString("latin1") : undefined);

const SIGNATURES: readonly Signature[] = [
  {
    contentType: "image/png",
    label: "PNG image",
    extensions: ["png"],
    embeddable: true,
    matches: (bytes) => at(bytes, 0, "\x89PNG\r\n\x1a\n"),
  },
  {
    contentType: "image/jpeg",
    label: "JPEG image",
    extensions: ["jpg", "jpeg", "jfif"],
    embeddable: true,
    matches: (bytes) => at(bytes, 0, "\xff\xd8\xff"),
  },
  {
    contentType: "image/gif",
    label: "GIF image",
    extensions: ["gif"],
    embeddable: true,
    matches: (bytes) => at(bytes, 0, "GIF87a") || at(bytes, 0, "GIF89a"),
  },
  {
    contentType: "image/webp",
    label: "WebP image",
    extensions: ["webp"],
    embeddable: true,
    matches: (bytes) => at(bytes, 0, "RIFF") && at(bytes, 8, "WEBP"),
  },
  {
    contentType: "video/mp4",
    label: "MP4 video",
    extensions: ["mp4", "m4v"],
    embeddable: false,
    matches: (bytes) => MP4_BRANDS.has(brandOf(bytes) ?? ""),
  },
  {
    contentType: "video/quicktime",
    label: "QuickTime video",
    extensions: ["mov", "qt"],
    embeddable: false,
    matches: (bytes) => brandOf(bytes) === "qt  ",
  },
  {
    contentType: "video/webm",
    label: "WebM video",
    extensions: ["webm"],
    embeddable: false,
    // An EBML header whose DocType element (0x42 0x82, a one-byte size) says "webm"; it opens the header.
    matches: (bytes) => at(bytes, 0, "\x1a\x45\xdf\xa3") && bytes.subarray(0, 64).includes(Buffer.from("\x42\x82\x84webm", "latin1")),
  },
  {
    contentType: "application/pdf",
    label: "PDF document",
    extensions: ["pdf"],
    embeddable: false,
    matches: (bytes) => at(bytes, 0, "%PDF-"),
  },
  {
    contentType: "text/plain; charset=utf-8",
    label: "text file",
    extensions: ["txt", "log", "csv", "md", "json"],
    embeddable: false,
    matches: isPlainText,
  },
];

/** UTF-8 throughout, with no control character a chat log or server log would not hold (tab, new lines, form feed are fine). */
function isPlainText(bytes: Buffer): boolean {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  return !/[^\P{Cc}\t\n\r\f]/u.test(text);
}

const extensionOf = (fileName: string) => /\.([^./\\]+)$/.exec(fileName)?.[1]?.toLowerCase();

/** Whether a stored content type is one Discord shows as an embed's image. */
export function isEmbeddable(contentType: string): boolean {
  return SIGNATURES.some((signature) => signature.embeddable && signature.contentType === contentType);
}

/** The extension a kept file is sent again with: its own, which its kind allows, or its kind's first. */
export function extensionFor(contentType: string, fileName: string): string {
  const allowed = SIGNATURES.find((signature) => signature.contentType === contentType)?.extensions ?? [];
  const own = extensionOf(fileName);
  return own !== undefined && allowed.includes(own) ? own : (allowed[0] ?? "bin");
}

/** The kind of `bytes`, by their content alone; undefined when it is none Warden keeps. */
export function detectFileType(bytes: Buffer): FileType | undefined {
  const found = SIGNATURES.find((signature) => signature.matches(bytes));
  if (found === undefined) return undefined;
  const { matches: _matches, ...type } = found;
  return type;
}

const ACCEPTED = "an image (PNG, JPEG, GIF, WebP), a clip (MP4, MOV, WebM), a PDF, or a text file (.txt, .log, .csv, .md, .json)";

/**
 * The file's kind, checked by content and by name: the bytes must be a kind
 * Warden keeps and the name must end as that kind does, so a file that is
 * not what its name says (a `.png` that is no PNG) is refused, whatever
 * Discord or the uploader called its type.
 */
export function checkFileType(fileName: string, bytes: Buffer): FileType {
  const shown = `\`${clipText(fileName.replace(/`/g, "'"), 80)}\``;
  const extension = extensionOf(fileName);
  const detected = detectFileType(bytes);
  const named = SIGNATURES.find((signature) => extension !== undefined && signature.extensions.includes(extension));
  if (detected !== undefined && extension !== undefined && detected.extensions.includes(extension)) return detected;
  if (named !== undefined) {
    const is = detected === undefined ? "a kind of file Warden does not keep" : `a ${detected.label}`;
    throw new UserError(`${shown} is not a ${named.label}: its content is ${is}. Evidence is ${ACCEPTED}.`);
  }
  if (detected !== undefined) {
    throw new UserError(`${shown} holds a ${detected.label}; name it \`.${detected.extensions[0]}\` and attach it again.`);
  }
  throw new UserError(`${shown} is not a kind of file Warden keeps as evidence. Evidence is ${ACCEPTED}.`);
}
