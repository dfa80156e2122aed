import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCase } from "../../src/db/cases.js";
import { clipText } from "../../src/services/clipText.js";
import { channelId, grant, linkThroughForm, memberId, replyTo, startStack, textOf, type Stack } from "./stack.js";

const UNIVERSE = "6001";
const KEY = `case-key-${"q".repeat(60)}`;

describe("/case end to end", () => {
  let stack: Stack;
  let owner: string;
  let bob: string;
  let alice: string;
  beforeAll(async () => {
    stack = await startStack();
    owner = memberId(stack, "owner");
    bob = memberId(stack, "bob");
    alice = memberId(stack, "alice");
    stack.roblox.addUniverse({ id: UNIVERSE, displayName: "Case Cafe", placeIds: ["6002"] });
    stack.roblox.addUser({ id: "92", name: "CaseOwner" });
    stack.roblox.addUser({ id: "500", name: "rulebreaker" });
    stack.roblox.addUser({ id: "777", name: "repeatoffender" });
    stack.roblox.addUser({ id: "600", name: "annotated" });
    stack.roblox.addApiKey({
      key: KEY,
      ownerId: "92",
      scopes: [{ name: "universe.user-restriction", operations: ["read", "write"], universeIds: [UNIVERSE] }],
    });
    await linkThroughForm(stack, "experience", UNIVERSE, KEY);
    await replyTo(stack, owner, "setup", "channels", { log: channelId(stack, "mod-log") });
    await replyTo(stack, owner, "ban", undefined, { user: "rulebreaker", duration: "1d", reason: "first reason" });
    await grant(stack, { type: "user", id: bob }, "lookup");
    await grant(stack, { type: "user", id: alice }, "lookup", "manage_cases");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("edits the reason, keeps a note of who changed what, and edits the same mod-log message", async () => {
    const modLog = channelId(stack, "mod-log");
    const posted = await stack.discord.waitForMessage(modLog, (message) => textOf(message).includes("Case #1 · Ban"));
    expect(textOf(posted)).toContain("first reason");

    expect(await replyTo(stack, owner, "case", "reason", { number: 1, reason: "better reason" })).toContain(
      "Case #1's reason is now: better reason",
    );
    const edited = stack.discord.message(posted.id);
    const reasonField = edited?.embeds[0]?.fields?.find((field) => field.name === "Private reason")?.value;
    expect(reasonField).toBe("better reason");
    expect(stack.discord.messages(modLog).filter((message) => textOf(message).includes("Case #1 · Ban"))).toHaveLength(1);

    const shown = await replyTo(stack, bob, "case", "show", { number: 1 });
    expect(shown).toContain("better reason");
    expect(shown).toContain(`<@${owner}>: Reason changed from "first reason" to "better reason".`);
  });

  it("appends notes by several moderators in order and edits the case's mod-log message in place", async () => {
    const modLog = channelId(stack, "mod-log");
    await replyTo(stack, owner, "ban", undefined, { user: "annotated", duration: "2d", reason: "griefing" });
    const posted = await stack.discord.waitForMessage(modLog, (message) => textOf(message).includes("annotated"));
    const number = Number(/Case #(\d+)/.exec(textOf(posted))?.[1]);
    const edits = () => stack.discord.requests.filter((request) => request.method === "PATCH" && request.path.endsWith(`/messages/${posted.id}`));
    expect(edits()).toHaveLength(0);

    expect(await replyTo(stack, owner, "case", "note", { number, text: "first: warned in game" })).toContain(`Note added to case #${number}.`);
    expect(await replyTo(stack, alice, "case", "note", { number, text: "second: alt confirmed" })).toContain(`Note added to case #${number}.`);
    expect(await replyTo(stack, owner, "case", "note", { number, text: "third: @everyone appealed" })).toContain(`Note added to case #${number}.`);

    expect(edits().map((request) => request.status)).toEqual([200, 200, 200]);
    expect(stack.discord.messages(modLog).filter((message) => textOf(message).includes("annotated"))).toHaveLength(1);
    const notes = stack.discord.message(posted.id)?.embeds[0]?.fields?.find((field) => field.name.startsWith("Notes"));
    expect(notes?.name).toBe("Notes (3)");
    expect(notes?.value).toContain(`by <@${owner}>`);
    expect(notes?.value).toContain("third: @everyone appealed");
    expect(notes?.value).not.toContain("second");

    const shown = await replyTo(stack, bob, "case", "show", { number });
    const order = ["first: warned in game", "second: alt confirmed", "third: @everyone appealed"].map((text) => shown.indexOf(text));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(shown).toContain(`<@${alice}>: second: alt confirmed`);

    expect(await replyTo(stack, bob, "case", "note", { number, text: "mine" })).toContain("You need Warden's `manage_cases` permission");
    expect(await replyTo(stack, owner, "case", "note", { number: 9999, text: "lost" })).toContain("There is no case #9999");
    expect(await replyTo(stack, owner, "case", "note", { number, text: "   " })).toContain("Write the note's text.");
    expect(edits()).toHaveLength(3);
  });

  it("lists a player's cases by username or id", async () => {
    expect(await replyTo(stack, bob, "case", "list", { user: "rulebreaker" })).toContain("**#1** ban · applied");
    expect(await replyTo(stack, bob, "case", "list", { user: "500" })).toContain("**#1** ban · applied");
    expect(await replyTo(stack, bob, "case", "list", { user: "nobody_at_all" })).toContain("No Roblox user is named");
  });

  it("needs manage_cases to change a reason, and says so for an unknown case", async () => {
    expect(await replyTo(stack, bob, "case", "reason", { number: 1, reason: "mine" })).toContain(
      "You need Warden's `manage_cases` permission",
    );
    expect(await replyTo(stack, bob, "case", "show", { number: 99 })).toContain("There is no case #99");
  });

  it("declares the case-number column's range, so Discord refuses a number it cannot hold", async () => {
    await expect(replyTo(stack, bob, "case", "show", { number: 2 ** 31 })).rejects.toThrow("above 2147483647");
    await expect(replyTo(stack, owner, "case", "reason", { number: 2 ** 31, reason: "x" })).rejects.toThrow("above 2147483647");
    expect(await replyTo(stack, bob, "case", "show", { number: 2 ** 31 - 1 })).toContain("There is no case #2147483647");
  });

  it("suggests case numbers as they are typed", async () => {
    const choices = await stack.discord.autocomplete({
      guildId: stack.guild.id,
      channelId: channelId(stack, "general"),
      userId: bob,
      name: "case",
      subcommand: "show",
      focused: "number",
      value: "1",
    });
    expect(choices).toEqual([{ name: "#1 ban rulebreaker", value: 1 }]);
  });

  it("pages a long list within Discord's limits, reading each page afresh at the click", async () => {
    const db = stack.database.handle.db;
    // A chatty history: 23 cases, each reason at Roblox's 1,000 characters, emoji and newlines included.
    for (let i = 1; i <= 23; i++) {
      await createCase(db, {
        guildId: stack.guild.id,
        action: "ban",
        robloxUserId: "777",
        robloxUsername: "chatterbox",
        universeId: UNIVERSE,
        privateReason: clipText(`reason ${i}:\n${"spam 😀 ".repeat(200)}`, 1_000),
        status: "applied",
        moderatorDiscordId: owner,
      });
    }
    const handle = await stack.discord.runCommand({
      guildId: stack.guild.id,
      channelId: channelId(stack, "general"),
      userId: bob,
      name: "case",
      subcommand: "list",
      options: { user: "id:777" },
    });
    const first = await handle.waitForReply();
    const description = first.embeds[0]?.description ?? "";
    expect(first.embeds[0]?.footer?.text).toContain("23 cases · page 1 of 3");
    expect(description.split("\n")).toHaveLength(10);
    expect(description).toContain("reason 23:");
    expect(description).not.toContain("reason 13:");
    expect([...description].length).toBeLessThanOrEqual(2_000);

    const nextId = JSON.stringify(first.components).match(/"custom_id":"(cases:pg:777:1)"/)?.[1] ?? "";
    expect(nextId).toBe("cases:pg:777:1");
    await (await stack.discord.clickButton({ userId: bob, messageId: first.id, customId: nextId })).waitForCallback();
    const second = stack.discord.message(first.id);
    expect(second?.embeds[0]?.footer?.text).toContain("page 2 of 3");
    expect(textOf(second ?? first)).toContain("reason 13:");
    expect(textOf(second ?? first)).not.toContain("reason 23:");

    const lastId = JSON.stringify(second?.components).match(/"custom_id":"(cases:pg:777:2)"/)?.[1] ?? "";
    await (await stack.discord.clickButton({ userId: bob, messageId: first.id, customId: lastId })).waitForCallback();
    const third = stack.discord.message(first.id);
    expect(third?.embeds[0]?.description?.split("\n")).toHaveLength(3);
    const buttons = JSON.stringify(third?.components);
    expect(buttons).toMatch(/"custom_id":"cases:pg:777:1"/);
    expect(buttons).not.toMatch(/"custom_id":"cases:pg:777:3"/);
    const next = (JSON.parse(buttons) as { components: { label: string; disabled?: boolean }[] }[])[0]?.components.find((b) => b.label === "Next");
    expect(next?.disabled).toBe(true);
  });

  it("lists exactly the cases a moderator took, or of one action, newest first and paged", async () => {
    const db = stack.database.handle.db;
    const record = async (moderator: string, action: "ban" | "unban", player: string) =>
      (
        await createCase(db, {
          guildId: stack.guild.id,
          action,
          robloxUserId: player,
          robloxUsername: `player${player}`,
          universeId: UNIVERSE,
          privateReason: `${action} by ${moderator}`,
          status: "applied",
          moderatorDiscordId: moderator,
        })
      ).number;
    const byAlice: number[] = [];
    const unbans: number[] = [];
    for (let i = 0; i < 14; i++) {
      const action = i % 3 === 0 ? "unban" : "ban";
      const number = await record(alice, action, String(9000 + i));
      byAlice.push(number);
      if (action === "unban") unbans.push(number);
    }
    unbans.push(await record(bob, "unban", "9100"));
    await record(bob, "ban", "9101");

    /** Every case number the list shows, page after page, by clicking Next until it is disabled. */
    const readAll = async (options: Record<string, string>) => {
      const handle = await stack.discord.runCommand({
        guildId: stack.guild.id,
        channelId: channelId(stack, "general"),
        userId: bob,
        name: "case",
        subcommand: "list",
        options,
      });
      const first = await handle.waitForReply();
      const numbers: number[] = [];
      const footers: string[] = [];
      for (let message = first; ; ) {
        const embed = message.embeds[0];
        numbers.push(...[...(embed?.description ?? "").matchAll(/\*\*#(\d+)\*\*/g)].map((match) => Number(match[1])));
        footers.push(embed?.footer?.text ?? "");
        const buttons = (message.components as { components: { label: string; custom_id: string; disabled?: boolean }[] }[])[0]?.components ?? [];
        const next = buttons.find((button) => button.label === "Next");
        if (next === undefined || next.disabled) return { first, numbers, footers, ids: [] as string[] };
        expect(next.custom_id.length).toBeLessThanOrEqual(100);
        await (await stack.discord.clickButton({ userId: bob, messageId: first.id, customId: next.custom_id })).waitForCallback();
        message = stack.discord.message(first.id) ?? first;
      }
    };
    const newestFirst = (numbers: number[]) => [...numbers].sort((a, b) => b - a);

    const mine = await readAll({ moderator: alice });
    expect(mine.numbers).toEqual(newestFirst(byAlice));
    expect(mine.footers).toEqual(["14 cases · page 1 of 2 · /case show reads one in full", "14 cases · page 2 of 2 · /case show reads one in full"]);
    expect(textOf(mine.first)).toContain(`moderator <@${alice}>`);

    const undone = await readAll({ action: "unban" });
    expect(undone.numbers).toEqual(newestFirst(unbans));
    expect(textOf(undone.first)).toContain(`by <@${bob}>`);

    const both = await readAll({ moderator: bob, action: "unban" });
    expect(both.numbers).toEqual([unbans.at(-1)]);

    expect(await replyTo(stack, bob, "case", "list", { moderator: owner, action: "join_decline" })).toContain(
      `No case in this server matches moderator <@${owner}>, action Join request declined.`,
    );
    expect(await replyTo(stack, bob, "case", "list", {})).toContain("Say which cases to list");
  });
});
