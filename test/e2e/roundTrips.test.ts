import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecordedCall } from "../emulators/opencloud/index.js";
import { longestChain } from "../support/callChains.js";
import { freePort } from "../support/postgresServer.js";
import { addExperienceWithKey, channelId, linkThroughForm, memberId, replyTo, startStack, textOf, type Stack } from "./stack.js";

const UNIVERSE = "8001";
const KEY = `round-trip-key-${"r".repeat(60)}`;
/** A host far from Roblox: every answer of the local Open Cloud comes this late. */
const LATENCY_MS = 80;

describe("Roblox round trips on the commands people wait on", () => {
  let stack: Stack;
  let owner: string;
  let metricsUrl: string;
  const thumbnailCalls = (calls: readonly RecordedCall[]) => calls.filter((call) => call.host === "thumbnails");

  beforeAll(async () => {
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    stack = await startStack(undefined, { env: { HTTP_PORT: String(port) } });
    owner = memberId(stack, "owner");
    stack.roblox.addUser({ id: "80", name: "SlowGameOwner" });
    stack.roblox.addUser({ id: "801", name: "farplayer" });
    stack.roblox.addUser({ id: "802", name: "lookedup" });
    addExperienceWithKey(stack.roblox, { universeId: UNIVERSE, name: "Far Game", placeId: "8002", ownerId: "80", key: KEY });
    await linkThroughForm(stack, "experience", UNIVERSE, KEY);
    await replyTo(stack, owner, "setup", "channels", { log: channelId(stack, "mod-log") });
    stack.roblox.setFaults({ delayMs: LATENCY_MS });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("bans by username in three calls one after another, fetching the avatar once alongside them", async () => {
    stack.roblox.clearCalls();
    const handle = await stack.discord.runCommand({
      guildId: stack.guild.id,
      channelId: channelId(stack, "general"),
      userId: owner,
      name: "ban",
      options: { user: "farplayer", duration: "7d", reason: "testing from afar" },
    });
    const reply = await handle.waitForReply();
    expect(textOf(reply)).toContain("Banned farplayer");
    const calls = [...stack.roblox.calls];
    // Resolve the name, PATCH, re-read for the scope trap; the avatar beside them, shared by the reply and the mod log.
    expect(calls.map((call) => `${call.host} ${call.method}`).sort()).toEqual([
      "opencloud GET",
      "opencloud PATCH",
      "thumbnails GET",
      "users POST",
    ]);
    expect(longestChain(calls)).toBeLessThanOrEqual(3);
    expect(thumbnailCalls(calls)).toHaveLength(1);
    const avatar = reply.embeds[0]?.thumbnail?.url;
    expect(avatar).toBeDefined();
    const record = await stack.discord.waitForMessage(channelId(stack, "mod-log"), (message) => textOf(message).includes("farplayer"));
    expect(record.embeds[0]?.thumbnail?.url).toBe(avatar);
  });

  it("looks up a player banned within the minute, and looks a player up twice, without a second thumbnail call", async () => {
    stack.roblox.clearCalls();
    expect(await replyTo(stack, owner, "lookup", undefined, { user: "farplayer" })).toContain("Far Game: **banned**");
    expect(thumbnailCalls(stack.roblox.calls)).toHaveLength(0);

    expect(await replyTo(stack, owner, "lookup", undefined, { user: "lookedup" })).toContain("Far Game: not banned");
    expect(thumbnailCalls(stack.roblox.calls)).toHaveLength(1);
    stack.roblox.clearCalls();
    expect(await replyTo(stack, owner, "lookup", undefined, { user: "lookedup" })).toContain("Far Game: not banned");
    expect(thumbnailCalls(stack.roblox.calls)).toHaveLength(0);
  });

  it("shows the Roblox calls of each command in /metrics", async () => {
    const text = await (await fetch(metricsUrl)).text();
    const series = (suffix: string) =>
      Number(new RegExp(`^warden_interaction_roblox_calls_${suffix}\\{kind="command",name="ban",outcome="ok"\\} (\\d+)$`, "m").exec(text)?.[1]);
    expect(series("count")).toBe(1);
    expect(series("sum")).toBe(4);
  });
});
