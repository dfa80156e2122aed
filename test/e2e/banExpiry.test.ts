import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addExperienceWithKey, channelId, finishedRuns, linkThroughForm, memberId, replyTo, startStack, textOf, type Stack } from "./stack.js";
import { waitUntil } from "../support/waitUntil.js";

const UNIVERSE = "8001";
const KEY = `expiry-key-${"e".repeat(60)}`;

describe("temporary bans that run out", () => {
  let stack: Stack;
  let owner: string;
  const expiryNotices = () =>
    stack.discord
      .messages(channelId(stack, "mod-log"))
      .map(textOf)
      .filter((text) => text.includes("Ban expired"));
  const expiryRuns = () => finishedRuns(stack, "bans.expiry");

  beforeAll(async () => {
    stack = await startStack(undefined, { banExpirySeconds: 1 });
    owner = memberId(stack, "owner");
    stack.roblox.addUser({ id: "94", name: "MeadowOwner" });
    for (const [id, name] of [["320", "runout"], ["321", "forgiven"], ["322", "stillout"]]) stack.roblox.addUser({ id: id!, name: name! });
    addExperienceWithKey(stack.roblox, { universeId: UNIVERSE, name: "Expiry Meadows", placeId: "8002", ownerId: "94", key: KEY });
    await linkThroughForm(stack, "experience", UNIVERSE, KEY);
    await replyTo(stack, owner, "setup", "channels", { log: channelId(stack, "mod-log") });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("are announced once in the mod log, unless an unban replaced them first", async () => {
    for (const user of ["runout", "forgiven", "stillout"]) {
      await replyTo(stack, owner, "ban", undefined, { user, duration: "1d", reason: "expiry test" });
    }
    await replyTo(stack, owner, "unban", undefined, { user: "forgiven" });
    // A day passes for two of them.
    await stack.database.handle.executeSql(
      "UPDATE cases SET expires_at = now() - interval '1 minute' WHERE action = 'ban' AND roblox_user_id IN ('320', '321')",
    );

    await waitUntil(async () => expiryNotices().length > 0);
    const runs = await expiryRuns();
    await waitUntil(async () => (await expiryRuns()) >= runs + 2);
    expect(expiryNotices()).toHaveLength(1);
    expect(expiryNotices()[0]).toMatch(/^Case #1 · Ban expired\n\*\*runout\*\* \(`320`\) may play Expiry Meadows again: the ban ran out <t:\d+:R>\.$/);
  });
});
