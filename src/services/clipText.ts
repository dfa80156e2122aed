const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * `text` cut to fit a Discord limit of `max` characters without cutting a
 * character in half: `.slice()` can leave half of an emoji's surrogate pair,
 * which shows as garbage. Whole graphemes only, so a flag or a skin-toned
 * emoji is kept or dropped as one.
 *
 * Counted in UTF-16 units: Discord counts code points, but discord.js's
 * builders check `.length` before anything is sent, and a string within the
 * stricter count fits both.
 */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let kept = "";
  for (const { segment } of graphemes.segment(text)) {
    if (kept.length + segment.length > max) break;
    kept += segment;
  }
  return kept;
}
