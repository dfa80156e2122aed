import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiscordApiError } from "../emulators/discord/index.js";
import { addExperienceWithKey, channelId, linkThroughForm, memberId, replyTo, startStack, type Stack } from "./stack.js";

const UNIVERSE = "7101";
const KEY = `log-key-${"r".repeat(60)}`;
const PRIVATE_REASON = "lives at 12 Private Lane, phone 555-0199";

/** Discord refusing a message body, as it answers one it cannot take. */
const invalidFormBody = () =>
  new DiscordApiError(400, 50035, "Invalid Form Body", {
    content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length." }] },
  });

describe("log lines of a failed Discord request", () => {
  let stack: Stack;
  let owner: string;
  beforeAll(async () => {
    stack = await startStack();
    owner = memberId(stack, "owner");
    addExperienceWithKey(stack.roblox, { universeId: UNIVERSE, name: "Log Cafe", placeId: "7102", ownerId: "93", key: KEY });
    stack.roblox.addUser({ id: "600", name: "logbreaker" });
    await linkThroughForm(stack, "experience", UNIVERSE, KEY);
    await replyTo(stack, owner, "setup", "channels", { log: channelId(stack, "mod-log") });
    await replyTo(stack, owner, "ban", undefined, { user: "logbreaker", duration: "1d", reason: "first reason" });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("hold neither the interaction token nor the private reason the refused edit carried", async () => {
    stack.discord.failNextRequest({ method: "PATCH", route: "/webhooks/:applicationId/:token/messages/:messageId", error: invalidFormBody() });
    const handle = await stack.discord.runCommand({
      guildId: stack.guild.id,
      channelId: channelId(stack, "general"),
      userId: owner,
      name: "case",
      subcommand: "reason",
      options: { number: 1, reason: PRIVATE_REASON },
    });
    const reply = await handle.waitForReply((message) => message.content.includes("Reference:"));
    const reference = /Reference: `([0-9a-f]+)`/.exec(reply.content)?.[1];

    const logged = stack.logLines.find((line) => reference !== undefined && line.includes(reference));
    expect(logged).toBeDefined();
    expect(logged).toContain("Invalid Form Body");
    expect(logged).toContain("/webhooks/");
    for (const line of stack.logLines) {
      expect(line).not.toContain(handle.token);
      expect(line).not.toContain(PRIVATE_REASON);
    }
  });

  it("hold no interaction token when Discord refuses the callback itself", async () => {
    stack.discord.failNextRequest({ method: "POST", route: "/interactions/:interactionId/:token/callback", error: invalidFormBody() });
    const handle = await stack.discord.runCommand({
      guildId: stack.guild.id,
      channelId: channelId(stack, "general"),
      userId: owner,
      name: "case",
      subcommand: "show",
      options: { number: 1 },
    });
    await handle.waitForReply((message) => message.content.includes("Reference:"));

    expect(stack.logLines.some((line) => line.includes(`/interactions/${handle.id}/[redacted]/callback`))).toBe(true);
    for (const line of stack.logLines) expect(line).not.toContain(handle.token);
  });
});
