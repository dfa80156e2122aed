import type { RecordedCall } from "../emulators/opencloud/index.js";

/**
 * The most calls that ran one after another: the longest run of calls in
 * which each arrived only once the one before had been answered. Calls that
 * overlap in time ran alongside and count once; a chain of k calls cost the
 * caller k round trips however many calls ran beside it.
 */
export function longestChain(calls: readonly Pick<RecordedCall, "time" | "answerTime">[]): number {
  const spans = calls
    .map((call) => ({ arrived: Date.parse(call.time), answered: Date.parse(call.answerTime) }))
    .sort((a, b) => a.arrived - b.arrived);
  // Without both times every call would look alone, and any chain would pass for one.
  if (spans.some((span) => !(span.answered >= span.arrived))) throw new Error("a recorded call lacks its arrival or answer time");
  const chainEndingAt: number[] = [];
  spans.forEach((span, index) => {
    let longest = 0;
    for (let before = 0; before < index; before += 1) {
      const earlier = spans[before];
      if (earlier !== undefined && earlier.answered <= span.arrived) longest = Math.max(longest, chainEndingAt[before] ?? 0);
    }
    chainEndingAt.push(longest + 1);
  });
  return Math.max(0, ...chainEndingAt);
}
