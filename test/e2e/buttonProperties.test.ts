import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CUSTOM_ID_MAX_LENGTH } from "../../src/discord/customIds.js";
import { expectHandledSafely, hostileText, linkUnguessables } from "./hostileInput.js";
import { startStack, type Stack } from "./stack.js";

/**
 * The ids the codec documents (`jr:a:<groupId>:<userId>`, `setup:u:<universeId>[:<name>]`...),
 * read from its own comment: an id added there is generated here without touching this test.
 */
function documentedIds(): string[] {
  const source = readFileSync(new URL("../../src/discord/customIds.ts", import.meta.url), "utf8");
  return [...new Set([...source.matchAll(/^ \*\s+([a-z]+(?::[a-z]+)*:<\S+)/gm)].map((match) => match[1] ?? ""))];
}

/** What fills a placeholder: what belongs there by its name, now and then anything at all. */
function placeholder(name: string): fc.Arbitrary<string> {
  const fitting = /id$/i.test(name)
    ? fc.oneof(fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }).map(String), fc.constantFrom("0", "007", "9".repeat(20), "18446744073709551616"))
    : /token/i.test(name)
      ? fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/)
      : /page/i.test(name)
        ? fc.oneof(fc.integer({ min: 0, max: 999 }).map(String), fc.constantFrom("-1", "1000", "01"))
        : fc.string({ minLength: 1, maxLength: 30 });
  return fc.oneof({ arbitrary: fitting, weight: 5 }, hostileText);
}

/** Ids shaped like a documented one: its literal parts, its placeholders filled, its optional tail there or not. */
function shapedLike(template: string): fc.Arbitrary<string> {
  const pieces = [...template.matchAll(/\[([^\]]*)\]|<([^>]+)>|([^<[]+)/g)].map((match): fc.Arbitrary<string> => {
    if (match[1] !== undefined) return fc.option(shapedLike(match[1]), { nil: undefined }).map((tail) => tail ?? "");
    if (match[2] !== undefined) return placeholder(match[2]);
    return fc.constant(match[3] ?? "");
  });
  return fc.tuple(...pieces).map((parts) => parts.join(""));
}

describe("every button and form id, forged by a hostile member", () => {
  let stack: Stack;
  const documented = documentedIds();
  const prefixes = documented.map((template) => template.slice(0, template.indexOf("<")));

  beforeAll(async () => {
    stack = await startStack(undefined, { interactionDeadlineMs: 30_000 });
    await linkUnguessables(stack);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("reads every id the codec documents", () => {
    expect(prefixes).toEqual(expect.arrayContaining(["jr:a:", "jr:d:", "ban:ok:", "bans:pg:", "jrb:ok:", "ap:a:", "ap:d:", "setup:u:", "setup:g:"]));
  });

  it("acknowledges every click and form, answers clearly, logs no error and writes nothing to Roblox", async () => {
    const garbage = fc.oneof(
      fc.tuple(fc.constantFrom(...prefixes), fc.array(hostileText, { minLength: 1, maxLength: 3 })).map(([prefix, parts]) => prefix + parts.join(":")),
      hostileText,
    );
    // Each documented id on its own, so none goes untried, then anything at all.
    const kinds = [...documented.map(shapedLike), garbage].map((ids) => ids.filter((id) => id.length >= 1 && id.length <= CUSTOM_ID_MAX_LENGTH));
    const members = [stack.guild.ownerId, stack.guild.ownerId, stack.guild.members.alice ?? "", stack.guild.members.carol ?? ""];
    const forged = (customId: fc.Arbitrary<string>) => fc.record({
      customId,
      userId: fc.constantFrom(...members),
      // A button clicked, or a form submitted (the API-key form's one field, with anything typed in it).
      form: fc.option(hostileText.filter((text) => text.length <= 4_000), { nil: undefined }),
    });
    const where = { guildId: stack.guild.id, channelId: stack.guild.channels.general ?? "" };
    for (const customId of kinds) {
      await fc.assert(
        fc.asyncProperty(forged(customId), async ({ customId: id, userId, form }) =>
          expectHandledSafely(stack, async () => {
            if (form !== undefined) return { handle: await stack.discord.forgeModalSubmit({ ...where, userId, customId: id, fields: { api_key: form } }) };
            const handle = await stack.discord.forgeClick({ ...where, userId, customId: id });
            return { handle, shownBefore: "" };
          }),
        ),
        { numRuns: 40, endOnFailure: true },
      );
    }
  });
});
