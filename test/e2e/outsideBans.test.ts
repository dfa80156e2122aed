import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cases } from "../../src/db/schema.js";
import { addExperienceWithKey, channelId, finishedRuns, linkThroughForm, memberId, replyTo, startStack, textOf, type Stack } from "./stack.js";
import { waitUntil } from "../support/waitUntil.js";

const UNIVERSE = "9001";
const KEY = `outside-key-${"o".repeat(60)}`;

describe("bans made outside Warden", () => {
  let stack: Stack;
  let owner: string;
  const casesOf = () => stack.database.handle.db.select().from(cases).where(eq(cases.guildId, stack.guild.id)).orderBy(cases.number);
  const syncRuns = () => finishedRuns(stack, "bans.sync");
  const afterSyncs = async (count: number) => {
    const runs = await syncRuns();
    await waitUntil(async () => (await syncRuns()) >= runs + count);
  };

  beforeAll(async () => {
    stack = await startStack(undefined, { banSyncSeconds: 1 });
    owner = memberId(stack, "owner");
    stack.roblox.addUser({ id: "95", name: "CreatorHubMod" });
    for (const [id, name] of [["330", "oldtimer"], ["331", "viawarden"], ["332", "viahub"], ["333", "viagame"]]) {
      stack.roblox.addUser({ id: id!, name: name! });
    }
    addExperienceWithKey(stack.roblox, { universeId: UNIVERSE, name: "Outside Oasis", placeId: "9002", ownerId: "95", key: KEY });
    // Before the link: history, which /history shows, not news.
    stack.roblox.banFromCreatorHub({ universeId: UNIVERSE, userId: "330", moderatorId: "95", privateReason: "long ago" });
    await linkThroughForm(stack, "experience", UNIVERSE, KEY);
    await replyTo(stack, owner, "setup", "channels", { log: channelId(stack, "mod-log") });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("become cases of the guild, in the mod log, once each; Warden's own and older ones do not", async () => {
    await afterSyncs(1);
    await replyTo(stack, owner, "ban", undefined, { user: "viawarden", duration: "1d", reason: "through Discord" });
    stack.roblox.banFromCreatorHub({
      universeId: UNIVERSE,
      userId: "332",
      moderatorId: "95",
      duration: "3600s",
      privateReason: "exploiting",
      displayReason: "Exploiting",
    });
    stack.roblox.banFromGameServer({ universeId: UNIVERSE, userId: "333", placeId: "9002", privateReason: "fly hacks" });
    stack.roblox.banFromCreatorHub({ universeId: UNIVERSE, userId: "330", moderatorId: "95", active: false, privateReason: "served" });

    await waitUntil(async () => (await casesOf()).length >= 4);
    await afterSyncs(2);
    const rows = await casesOf();
    expect(rows.map((row) => [row.number, row.action, row.robloxUserId, row.source])).toEqual([
      [1, "ban", "331", "discord"],
      [2, "ban", "332", "creator_hub"],
      [3, "ban", "333", "in_game"],
      [4, "unban", "330", "creator_hub"],
    ]);
    expect(rows[1]).toMatchObject({
      robloxUsername: "viahub",
      robloxModeratorId: "95",
      durationSeconds: 3600,
      privateReason: "exploiting",
      publicReason: "Exploiting",
      status: "applied",
    });
    expect(rows[1]?.expiresAt).toBeInstanceOf(Date);
    expect(rows[2]).toMatchObject({ placeId: "9002", robloxModeratorId: null, durationSeconds: null, expiresAt: null });

    const log = await stack.discord.waitForMessage(channelId(stack, "mod-log"), (message) => textOf(message).includes("Case #4"));
    expect(textOf(log)).toContain("Roblox user 95");
    const logged = stack.discord.messages(channelId(stack, "mod-log")).map(textOf).join("\n---\n");
    expect(logged).toContain("Case #3 · Ban");
    expect(logged).toContain("In-game");
    expect(logged.match(/Case #2 · Ban/g)).toHaveLength(1);
  });
});
