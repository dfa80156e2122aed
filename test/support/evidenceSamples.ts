/** Evidence files in miniature: enough of each kind for its signature to be told. */

export const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part, "latin1") : Buffer.from(part))));

/** The first bytes of a real file of each kind, and a little of what follows. */
export const SAMPLES = {
  png: bytes("\x89PNG\r\n\x1a\n", [0, 0, 0, 13], "IHDR", [0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]),
  jpg: bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16], "JFIF\x00"),
  gif: bytes("GIF89a", [1, 0, 1, 0, 0, 0, 0]),
  webp: bytes("RIFF", [26, 0, 0, 0], "WEBPVP8 "),
  mp4: bytes([0, 0, 0, 24], "ftypisom", [0, 0, 2, 0], "isomiso2"),
  mov: bytes([0, 0, 0, 20], "ftypqt  ", [0, 0, 2, 0], "qt  "),
  webm: bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84], "webm", [0x42, 0x87, 0x81, 0x04]),
  pdf: bytes("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
  txt: Buffer.from("12:00 <griefer> gg ez\n12:01 <griefer> 😀 tabs\tand crlf\r\n", "utf8"),
};
