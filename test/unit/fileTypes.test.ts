import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkFileType, detectFileType } from "../../src/services/evidence/fileTypes.js";
import { UserError } from "../../src/services/userError.js";
import { SAMPLES, bytes } from "../support/evidenceSamples.js";

describe("evidence file kinds", () => {
  it("tells each kept kind by its bytes, and accepts it under its own name", () => {
    expect(Object.fromEntries(Object.entries(SAMPLES).map(([extension, content]) => [extension, checkFileType(`proof.${extension}`, content).contentType]))).toEqual({
      png: "image/png",
      jpg: "image/jpeg",
      gif: "image/gif",
      webp: "image/webp",
      mp4: "video/mp4",
      mov: "video/quicktime",
      webm: "video/webm",
      pdf: "application/pdf",
      txt: "text/plain; charset=utf-8",
    });
    expect(checkFileType("SERVER.LOG", SAMPLES.txt).label).toBe("text file");
  });

  it("refuses a file whose name claims a kind its bytes are not", () => {
    expect(() => checkFileType("proof.png", SAMPLES.jpg)).toThrow("`proof.png` is not a PNG image: its content is a JPEG image.");
    expect(() => checkFileType("proof.png", Buffer.from("MZ\x90\x00 this program cannot be run in DOS mode", "latin1"))).toThrow(
      "`proof.png` is not a PNG image: its content is a kind of file Warden does not keep.",
    );
    expect(() => checkFileType("chat.txt", bytes([0x00, 0x01, 0x02, 0xff]))).toThrow("`chat.txt` is not a text file");
    expect(() => checkFileType("run.exe", SAMPLES.txt)).toThrow("`run.exe` holds a text file; name it `.txt`");
    expect(() => checkFileType("archive.zip", bytes("PK\x03\x04"))).toThrow("is not a kind of file Warden keeps as evidence");
    // Image-like containers that are not kept kinds: HEIC and AVIF are ftyp boxes too.
    expect(detectFileType(bytes([0, 0, 0, 24], "ftypheic"))).toBeUndefined();
    expect(detectFileType(bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x88], "matroska"))).toBeUndefined();
  });

  it("accepts arbitrary bytes only as the kind they are, and refuses everything else with a clear message", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom("a.png", "a.jpg", "a.txt", "a.mp4", "a", "a.bin"), (content, name) => {
        const buffer = Buffer.from(content);
        try {
          const type = checkFileType(name, buffer);
          expect(detectFileType(buffer)).toEqual(type);
          expect(type.extensions).toContain(name.split(".").at(-1));
        } catch (error) {
          expect(error).toBeInstanceOf(UserError);
        }
      }),
    );
  });
});
