import type { ModLogOutcome } from "./modLog.js";

/** The invoker's confirmation, with a word on the mod-log post when it could not be made. */
export function withModLogNote(text: string, outcome: ModLogOutcome): string {
  return outcome.posted ? text : `${text}\n-# Not posted to the mod log: ${outcome.problem}`;
}
