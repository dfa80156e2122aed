import { describe, expect, it } from "vitest";
import { clipText } from "../../src/services/clipText.js";

const hasLoneSurrogate = (text: string) => /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

describe("clipText", () => {
  it("keeps text that fits as it is", () => {
    expect(clipText("ban evader", 10)).toBe("ban evader");
    expect(clipText("😀😀", 4)).toBe("😀😀");
  });

  it("never leaves half of a surrogate pair where .slice() would", () => {
    const text = `a${"😀".repeat(60)}`;
    expect(hasLoneSurrogate(text.slice(0, 100))).toBe(true);
    const clipped = clipText(text, 100);
    expect(hasLoneSurrogate(clipped)).toBe(false);
    expect(clipped).toBe(`a${"😀".repeat(49)}`);
  });

  it("keeps or drops a grapheme whole", () => {
    const flags = "🇫🇷🇯🇵"; // two graphemes of four UTF-16 units each
    expect(clipText(flags, 7)).toBe("🇫🇷");
    const family = "x👨‍👩‍👧"; // one letter, then one grapheme of eight units
    expect(clipText(family, 8)).toBe("x");
  });
});
