import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addExperienceWithKey, addGroupWithKey, channelId, linkThroughForm, memberId, replyTo, startStack, textOf, type Stack } from "./stack.js";
import { waitUntil } from "../support/waitUntil.js";

const UNIVERSE = "7001";
const GROUP = "71";
const GAME_KEY = `health-game-key-${"h".repeat(60)}`;
const GROUP_KEY = `health-group-key-${"g".repeat(60)}`;
const DAY_MS = 86_400_000;

describe("API key health checks", () => {
  let stack: Stack;
  let owner: string;
  const notices = () =>
    stack.discord
      .messages(channelId(stack, "mod-log"))
      .map(textOf)
      .filter((text) => text.includes("The API key of"));
  /** Waits until `count` notices are posted, then a few more checks, which must add none. */
  const settle = async (count: number) => {
    await waitUntil(() => notices().length >= count);
    const checks = () => stack.roblox.calls.filter((call) => call.path === "/api-keys/v1/introspect").length;
    const seen = checks();
    await waitUntil(() => checks() >= seen + 4);
    expect(notices()).toHaveLength(count);
  };

  beforeAll(async () => {
    stack = await startStack(undefined, { keyCheckSeconds: 1 });
    owner = memberId(stack, "owner");
    stack.roblox.addUser({ id: "93", name: "HealthOwner" });
    addExperienceWithKey(stack.roblox, { universeId: UNIVERSE, name: "Health Hills", placeId: "7002", ownerId: "93", key: GAME_KEY });
    addGroupWithKey(stack.roblox, { groupId: GROUP, name: "Health Club", ownerId: "93", key: GROUP_KEY });
    await linkThroughForm(stack, "experience", UNIVERSE, GAME_KEY);
    await linkThroughForm(stack, "group", GROUP, GROUP_KEY);
    await replyTo(stack, owner, "setup", "channels", { log: channelId(stack, "mod-log") });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("says nothing while every key works", async () => {
    await settle(0);
  });

  it("tells the guild once when a key is revoked, shows it in /setup show, and says when it works again", async () => {
    stack.roblox.revokeApiKey(GAME_KEY);
    await settle(1);
    expect(notices()[0]).toContain(
      "The API key of experience **Health Hills** (`7001`) is no longer accepted by Roblox: it was deleted or revoked. " +
        "Until it is replaced, Warden can't act there: run `/setup experience universe:7001` with a working key.",
    );
    expect(await replyTo(stack, owner, "setup", "show")).toContain("⚠️ The key is no longer accepted by Roblox");

    stack.roblox.addApiKey({
      key: GAME_KEY,
      ownerId: "93",
      scopes: [{ name: "universe.user-restriction", operations: ["read", "write"], universeIds: [UNIVERSE] }],
    });
    await settle(2);
    expect(notices()[1]).toContain("The API key of experience **Health Hills** (`7001`) works again.");
    expect(await replyTo(stack, owner, "setup", "show")).not.toContain("⚠️");
  });

  it("warns a week before a key expires, and names a scope taken away", async () => {
    const expiry = new Date(Date.now() + 3 * DAY_MS);
    stack.roblox.updateApiKey(GROUP_KEY, { expirationTimeUtc: expiry.toISOString() });
    await settle(3);
    expect(notices()[2]).toContain(`The API key of group **Health Club** (\`71\`) expires <t:${Math.floor(expiry.getTime() / 1_000)}:R>.`);

    stack.roblox.updateApiKey(GAME_KEY, { scopes: [{ name: "universe.user-restriction", operations: ["read"], universeIds: [UNIVERSE] }] });
    await settle(4);
    expect(notices()[3]).toContain("lacks `universe.user-restriction:write`");
    expect(notices().join("\n")).not.toContain(GAME_KEY);
  });
});
