import { InteractionResponseType, type APIMessage } from "discord.js";
import fc from "fast-check";
import { expect } from "vitest";
import type { InteractionHandle } from "../emulators/discord/index.js";
import type { RecordedCall as RobloxCall } from "../emulators/opencloud/index.js";
import { addExperienceWithKey, addGroupWithKey, linkThroughForm, replyTo, textOf, type Stack } from "./stack.js";

/** Characters that look like nothing or turn text around. */
const INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"];
const RIGHT_TO_LEFT = ["\u202e", "\u202b", "\u200f", "\u061c", "\u2067"];

/** Pieces people paste, by accident or on purpose. */
const ATOMS = [
  "",
  " ",
  "\n",
  "\t",
  "0",
  "-1",
  "-0",
  "00042",
  "+7",
  "1.5",
  "1e3",
  "1e309",
  "NaN",
  "Infinity",
  "0x1F",
  "9".repeat(20),
  "9223372036854775807",
  "9223372036854775808",
  "-9223372036854775808",
  "18446744073709551616",
  "perm",
  "1d",
  "0s",
  "-5d",
  "99999999999w",
  "@everyone",
  "@here",
  "<@&1>",
  "<@1>",
  ":",
  "::",
  "%00",
  "\\",
  "'; DROP TABLE cases; --",
  "🙂",
  "👨‍👩‍👧",
  "ℌ𝔢𝔩𝔩𝔬",
  "Ａｄｍｉｎ",
  "ﷺ",
  "e\u0301",
  ...INVISIBLE,
  ...RIGHT_TO_LEFT,
];

/** Text as a hostile or careless member types it: random, unicode, invisible, right-to-left, numbers too big or negative, empty. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...ATOMS),
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.string({ unit: "grapheme-composite", maxLength: 12 }),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String),
  fc.array(fc.oneof(fc.constantFrom(...ATOMS), fc.string({ unit: "grapheme", maxLength: 4 }), fc.nat().map(String)), { maxLength: 6 }).map((parts) => parts.join("")),
);

/** Text within Discord's max_length (counted in UTF-16 units, as the local Discord counts). */
export const hostileTextUpTo = (maxLength: number | undefined) =>
  maxLength === undefined ? hostileText : hostileText.filter((text) => text.length <= maxLength);

/**
 * A world where no generated input can be valid: the Roblox players there are
 * only the key owners, with ids and names no generator produces, and the
 * linked experience and group have ids as unlikely. A write then means the bot
 * acted on input it should have refused.
 */
export async function linkUnguessables(stack: Stack): Promise<void> {
  const owner = "8675309001";
  stack.roblox.addUser({ id: owner, name: "QzOwnerOfEverything" });
  addExperienceWithKey(stack.roblox, {
    universeId: "8675309101",
    name: "QzPropertyGame",
    placeId: "8675309102",
    ownerId: owner,
    key: `property-game-key-${"k".repeat(50)}`,
  });
  addGroupWithKey(stack.roblox, { groupId: "8675309201", name: "QzPropertyGroup", ownerId: owner, key: `property-group-key-${"m".repeat(50)}` });
  await linkThroughForm(stack, "experience", "8675309101", `property-game-key-${"k".repeat(50)}`);
  await linkThroughForm(stack, "group", "8675309201", `property-group-key-${"m".repeat(50)}`);
  const channels = stack.guild.channels;
  await replyTo(stack, stack.guild.ownerId, "setup", "channels", { log: channels["mod-log"] ?? "", review: channels["join-requests"] ?? "" });
}

/** What Open Cloud changes: anything but reads (username lookups and key introspection are POSTs that read). */
export function isWrite(call: RobloxCall): boolean {
  if (call.method === "GET") return false;
  if (call.host !== "opencloud") return false;
  return !call.path.startsWith("/api-keys/");
}

const UNEXPECTED = /Something went wrong|Reference: `/;

/** Lines Warden logged at error or fatal (pino's 50 and 60) since `from`. */
export function errorsLogged(stack: Stack, from: number): string[] {
  return stack.logLines.slice(from).filter((line) => {
    try {
      return (JSON.parse(line) as { level?: number }).level! >= 50;
    } catch {
      return true;
    }
  });
}

/**
 * Waits for what the member is finally shown: a modal, the reply (a deferred
 * one once edited, an updated message), or an ephemeral follow-up; and checks
 * it is an answer a person can act on, not the unexpected-error reply.
 */
export async function expectClearAnswer(handle: InteractionHandle, shownBefore: string | undefined): Promise<string> {
  // Acknowledged at all: how fast is the local Discord's deadline's business, not this test's.
  const callback = await handle.waitForCallback(30_000);
  if (callback.type === InteractionResponseType.Modal) return "(a modal)";
  const changed = (message: APIMessage) => textOf(message) !== shownBefore;
  const answer = await Promise.race([handle.waitForReply(changed, 30_000), handle.waitForFollowUp(undefined, 30_000)]);
  const text = textOf(answer);
  expect(text.trim(), "an empty answer").not.toBe("");
  expect(text).not.toMatch(UNEXPECTED);
  return text;
}

/** The checks every hostile interaction must pass, around `act`. */
export async function expectHandledSafely(stack: Stack, act: () => Promise<{ handle: InteractionHandle; shownBefore?: string }>) {
  const logFrom = stack.logLines.length;
  const callsFrom = stack.roblox.calls.length;
  const { handle, shownBefore } = await act();
  const text = await expectClearAnswer(handle, shownBefore);
  expect(errorsLogged(stack, logFrom), `answered "${text}"`).toEqual([]);
  expect(stack.roblox.calls.slice(callsFrom).filter(isWrite), `answered "${text}"`).toEqual([]);
}
