import { z } from "zod";
import type { JoinRequestCard } from "../ports.js";

/** A group's join-review rules, as stored in group_links.rules. Everything is off until staff turn it on. */
export const joinRulesSchema = z.strictObject({
  /** Decline accounts younger than this; 0 turns the rule off. */
  minAccountAgeDays: z.number().int().min(0).max(3_650).default(0),
  /** Decline players banned in any experience linked to the guild. */
  declineBannedPlayers: z.boolean().default(false),
  /** Accept requests no rule flags; off by default, since it admits people nobody looked at. */
  autoAcceptClean: z.boolean().default(false),
});

export type JoinRules = z.infer<typeof joinRulesSchema>;

export interface RuleVerdict {
  decision: "accept" | "decline";
  /** Shown on the card, in the mod log and as the case's reason. */
  rule: string;
}

const DAY_MS = 86_400_000;

/** What the rules decide for a request; undefined leaves it to staff. */
export function judgeByRules(rules: JoinRules, card: JoinRequestCard, now: Date): RuleVerdict | undefined {
  if (rules.minAccountAgeDays > 0 && card.accountCreated !== null) {
    const ageDays = Math.floor((now.getTime() - card.accountCreated.getTime()) / DAY_MS);
    if (ageDays < rules.minAccountAgeDays) {
      return {
        decision: "decline",
        rule: `Rule: accounts must be at least ${rules.minAccountAgeDays} days old; this one is ${ageDays}.`,
      };
    }
  }
  if (rules.declineBannedPlayers && card.bannedIn.length > 0) {
    return { decision: "decline", rule: `Rule: players banned in a linked experience are declined (${card.bannedIn.join(", ")}).` };
  }
  if (rules.autoAcceptClean && card.accountCreated !== null && card.previousCases === 0 && card.bannedIn.length === 0) {
    return { decision: "accept", rule: "Rule: nothing flags this player, and clean requests are accepted." };
  }
  return undefined;
}

export function describeRules(rules: JoinRules): string {
  return [
    rules.minAccountAgeDays > 0 ? `decline accounts younger than ${rules.minAccountAgeDays} days` : "no minimum account age",
    rules.declineBannedPlayers ? "decline players banned in a linked experience" : "banned players go to staff",
    rules.autoAcceptClean ? "accept requests nothing flags" : "clean requests go to staff",
  ].join("; ");
}
