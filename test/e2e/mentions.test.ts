import { ComponentType, PermissionFlagsBits, type APIMessage } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addExperienceWithKey,
  addGroupWithKey,
  channelId,
  DEFAULT_GUILD,
  grant,
  linkThroughForm,
  memberId,
  replyTo,
  roleId,
  startStack,
  textOf,
  type Stack,
} from "./stack.js";

const UNIVERSE = "7201";
const GROUP = "7203";
const EXPERIENCE_KEY = `mention-key-${"m".repeat(60)}`;
const GROUP_KEY = `mention-group-key-${"g".repeat(60)}`;

describe("mentions in everything Warden sends", () => {
  let stack: Stack;
  let owner: string;
  let hostile: string;

  beforeAll(async () => {
    // Mention Everyone lets the bot ping @everyone, @here and any role: what a careless invite grants.
    stack = await startStack(
      {
        ...DEFAULT_GUILD,
        botPermissions:
          PermissionFlagsBits.ViewChannel |
          PermissionFlagsBits.SendMessages |
          PermissionFlagsBits.EmbedLinks |
          PermissionFlagsBits.ReadMessageHistory |
          PermissionFlagsBits.MentionEveryone,
      },
      { keyCheckSeconds: 1 },
    );
    owner = memberId(stack, "owner");
    // Every kind of mention, of the invoker (who sees the ephemeral replies) and of others.
    hostile = `@everyone @here <@&${roleId(stack, "Moderator")}> <@${owner}> <@${memberId(stack, "carol")}>`;
    // Names come from Roblox, typed by whoever made the experience or group: as untrusted as a reason.
    addExperienceWithKey(stack.roblox, { universeId: UNIVERSE, name: `Cafe ${hostile}`, placeId: "7202", ownerId: "94", key: EXPERIENCE_KEY });
    addGroupWithKey(stack.roblox, { groupId: GROUP, name: `Fans ${hostile}`, ownerId: "94", key: GROUP_KEY });
    stack.roblox.addUser({ id: "610", name: "pinger" });
    // Roblox's display names are free text to Warden: it must not trust them either.
    stack.roblox.addUser({ id: "611", name: "applicant", displayName: hostile.slice(0, 100) });
    stack.roblox.addJoinRequest({ groupId: GROUP, userId: "611" });
    await grant(stack, { type: "user", id: memberId(stack, "alice") }, "review_join_requests");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("pings no one in replies, follow-ups, mod-log posts and their edits, review cards or setup notices", async () => {
    const modLog = channelId(stack, "mod-log");
    const review = channelId(stack, "join-requests");
    // Setup notices in the mod log and the replies to /setup.
    await replyTo(stack, owner, "setup", "channels", { log: modLog, review });
    await linkThroughForm(stack, "experience", UNIVERSE, EXPERIENCE_KEY);
    await linkThroughForm(stack, "group", GROUP, GROUP_KEY);
    await replyTo(stack, owner, "setup", "channels", { log: modLog, review });
    // Lists members and roles by their mentions, ephemeral to the owner.
    await replyTo(stack, owner, "staff", "grant", { permission: "lookup", role: roleId(stack, "Moderator") });
    expect(await replyTo(stack, owner, "staff", "list")).toContain(`<@${memberId(stack, "alice")}>`);

    // The ban: the moderator's reply and the mod-log post, then its edit and the reply quoting the new reason.
    await replyTo(stack, owner, "ban", undefined, { user: "pinger", duration: "1d", reason: hostile, public_reason: hostile });
    await stack.discord.waitForMessage(modLog, (message) => textOf(message).includes("Case #1 · Ban"));
    expect(await replyTo(stack, owner, "case", "reason", { number: 1, reason: `again ${hostile}` })).toContain(`again ${hostile}`);
    await stack.discord.waitForMessage(modLog, (message) => textOf(message).includes(`again ${hostile}`));
    await replyTo(stack, owner, "case", "list", { user: "pinger" });

    // A permanent ban, confirmed with its button: the click updates the message through the callback.
    const asked = await stack.discord.runCommand({
      guildId: stack.guild.id,
      channelId: channelId(stack, "general"),
      userId: owner,
      name: "ban",
      options: { user: "pinger", duration: "perm", reason: hostile, public_reason: hostile },
    });
    const question = await asked.waitForReply((message) => (message.components ?? []).length > 0);
    const confirm = await stack.discord.clickButton({ userId: owner, messageId: question.id, customId: customIdOf(question) });
    await confirm.waitForReply((message) => message.embeds.length > 0 || message.content.includes("Case #2"));

    // A review card for a hostile display name, decided by two clicks at once: one edits the card, the other hears why in a follow-up.
    await replyTo(stack, memberId(stack, "alice"), "joinrequests", "review");
    const card = await stack.discord.waitForMessage(review, (message) => message.embeds[0]?.url?.endsWith("/users/611/profile") === true);
    // A member without the permission is answered directly in the callback.
    const refused = await stack.discord.clickButton({ userId: memberId(stack, "carol"), messageId: card.id, customId: `jr:a:${GROUP}:611` });
    expect(textOf(await refused.waitForReply())).toContain("permission");
    const clicks = await Promise.all(
      [memberId(stack, "alice"), owner].map((userId) => stack.discord.clickButton({ userId, messageId: card.id, customId: `jr:a:${GROUP}:611` })),
    );
    await stack.discord.waitForMessage(review, (message) => message.id === card.id && textOf(message).includes("Approved by"));
    expect((await Promise.any(clicks.map((handle) => handle.waitForFollowUp()))).content).not.toBe("");

    // The key health check's setup notice, naming the group.
    stack.roblox.revokeApiKey(GROUP_KEY);
    await stack.discord.waitForMessage(modLog, (message) => textOf(message).includes("Setup notice") && textOf(message).includes(`Fans ${hostile}`));

    // Each kind of message was sent, and each said so on the wire.
    const sent = stack.discord.requests.filter((request) => carriesMessage(request.route, request.body));
    const kinds = new Set(sent.map((request) => `${request.method} ${request.route}`));
    expect([...kinds].sort()).toEqual([
      "PATCH /channels/:channelId/messages/:messageId",
      "PATCH /webhooks/:applicationId/:token/messages/:messageId",
      "POST /channels/:channelId/messages",
      "POST /interactions/:interactionId/:token/callback",
      "POST /webhooks/:applicationId/:token",
    ]);
    for (const request of sent) expect(allowedMentionsOf(request.body)).toEqual({ parse: [] });
    expect(stack.discord.pings).toEqual([]);
  });
});

/** The custom id of a message's first button. */
function customIdOf(message: APIMessage): string {
  const button = message.components?.[0]?.type === ComponentType.ActionRow ? message.components[0].components[0] : undefined;
  if (button === undefined || !("custom_id" in button)) throw new Error("the message has no button");
  return button.custom_id;
}

/** A request whose body holds a message others could be pinged by: content or embeds. */
function carriesMessage(route: string | null, body: unknown): boolean {
  if (route === null || !(route.includes("/messages") || route.startsWith("/webhooks/") || route.endsWith("/callback"))) return false;
  const message = route.endsWith("/callback") ? dataOf(body) : body;
  return typeof message === "object" && message !== null && ("content" in message || "embeds" in message);
}

function dataOf(body: unknown): unknown {
  return typeof body === "object" && body !== null && "data" in body ? body.data : undefined;
}

function allowedMentionsOf(body: unknown): unknown {
  const message = typeof body === "object" && body !== null && "allowed_mentions" in body ? body : dataOf(body);
  return typeof message === "object" && message !== null && "allowed_mentions" in message ? message.allowed_mentions : undefined;
}
