import type { CaseAction } from "../db/cases.js";

/** Each case action as a moderator reads it: a case's title, a `/case list` choice; lower-cased in one-line listings. */
export const CASE_ACTION_NAMES = {
  ban: "Ban",
  unban: "Unban",
  join_accept: "Join request accepted",
  join_decline: "Join request declined",
  rank: "Rank change",
  suspend: "Suspension",
  unsuspend: "Suspension lifted",
  group_remove: "Removed from the group",
  group_ban: "Group ban",
  group_unban: "Group unban",
} as const satisfies Record<CaseAction, string>;

/** The action as a one-line listing names it, e.g. "#4 group ban (applied)". */
export const caseActionWord = (action: CaseAction): string => CASE_ACTION_NAMES[action].toLowerCase();
