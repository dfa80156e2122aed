import { ApplicationCommandPermissionType } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokePermission } from "../../src/db/staffGrants.js";
import { channelId, grant, linkThroughForm, memberId, roleId, startStack, textOf, type Stack } from "./stack.js";

const UNIVERSE = "1001";
const GROUP = "7";
const GOOD_KEY = `good-${"g".repeat(60)}`;
const READ_ONLY_KEY = `readonly-${"r".repeat(60)}`;
const UNKNOWN_KEY = `unknown-${"u".repeat(60)}`;
const WILDCARD_KEY = `wildcard-${"w".repeat(60)}`;
const GROUP_KEY = `group-${"p".repeat(60)}`;
const ALL_KEYS = [GOOD_KEY, READ_ONLY_KEY, UNKNOWN_KEY, WILDCARD_KEY, GROUP_KEY];

describe("/setup and /staff end to end", () => {
  let stack: Stack;
  let owner: string;
  let alice: string;
  let general: string;

  const run = async (userId: string, name: string, subcommand: string, options: Record<string, string> = {}) => {
    const handle = await stack.discord.runCommand({ guildId: stack.guild.id, channelId: general, userId, name, subcommand, options });
    return handle;
  };
  const replyText = async (userId: string, name: string, subcommand: string, options: Record<string, string> = {}) =>
    textOf(await (await run(userId, name, subcommand, options)).waitForReply());

  const linkWithForm = async (userId: string, subcommand: "experience" | "group", id: string, apiKey: string) => ({
    reply: await linkThroughForm(stack, subcommand, id, apiKey, userId),
  });

  beforeAll(async () => {
    stack = await startStack();
    owner = memberId(stack, "owner");
    alice = memberId(stack, "alice");
    general = channelId(stack, "general");

    stack.roblox.addUniverse({ id: UNIVERSE, displayName: "Cafe Tycoon", placeIds: ["2001"] });
    stack.roblox.addGroup({ id: GROUP, displayName: "Cafe Staff", ownerId: "50" });
    stack.roblox.addUser({ id: "50", name: "CafeOwner" });
    const restrictions = (operations: string[], universeIds: string[]) => [
      { name: "universe.user-restriction", operations, universeIds },
    ];
    stack.roblox.addApiKey({ key: GOOD_KEY, ownerId: "50", scopes: restrictions(["read", "write"], [UNIVERSE]) });
    stack.roblox.addApiKey({ key: READ_ONLY_KEY, ownerId: "50", scopes: restrictions(["read"], [UNIVERSE]) });
    stack.roblox.addApiKey({ key: WILDCARD_KEY, ownerId: "50", scopes: restrictions(["read", "write"], ["*"]) });
    // An admin lets everyone see /setup and /staff in Server Settings -> Integrations; Warden still decides.
    for (const name of ["setup", "staff"]) {
      stack.discord.setCommandPermissions(stack.guild.id, name, [
        { id: stack.guild.id, type: ApplicationCommandPermissionType.Role, permission: true },
      ]);
    }
    stack.roblox.addApiKey({ key: GROUP_KEY, ownerId: "50", scopes: [{ name: "group", operations: ["read", "write"], groupIds: [GROUP] }] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("sets the mod-log channel and records the change there", async () => {
    const reply = await replyText(owner, "setup", "channels", { log: channelId(stack, "mod-log") });
    expect(reply).toContain(`mod log -> <#${channelId(stack, "mod-log")}>`);
    const posted = await stack.discord.waitForMessage(channelId(stack, "mod-log"), (message) => textOf(message).includes("Channels set"));
    expect(textOf(posted)).toContain(`<@${owner}>`);
  });

  it("asks for the API key in a modal whose text input is labelled API key", async () => {
    const handle = await run(owner, "setup", "experience", { universe: UNIVERSE });
    await handle.waitForCallback();
    expect(JSON.stringify(handle.modal)).toContain('"label":"API key"');
    expect(handle.modal?.custom_id).toBe(`setup:u:${UNIVERSE}`);
  });

  it("links an experience through the modal, shows only a fingerprint, and logs who did it", async () => {
    const { reply } = await linkWithForm(owner, "experience", UNIVERSE, GOOD_KEY);
    expect(reply).toMatch(/Linked experience \*\*Cafe Tycoon\*\* \(`1001`\) with API key `sha256:[0-9a-f]{12}`/);
    const posted = await stack.discord.waitForMessage(channelId(stack, "mod-log"), (message) =>
      textOf(message).includes("Linked experience"),
    );
    expect(textOf(posted)).toContain(`<@${owner}>`);
    expect(await replyText(owner, "setup", "show")).toMatch(/Cafe Tycoon.*`1001`.*sha256:[0-9a-f]{12}/);
  });

  it("links a group through the modal", async () => {
    const { reply } = await linkWithForm(owner, "group", GROUP, GROUP_KEY);
    expect(reply).toContain("Linked group **Cafe Staff** (`7`)");
  });

  it("explains a key Roblox does not know", async () => {
    const { reply } = await linkWithForm(owner, "experience", UNIVERSE, UNKNOWN_KEY);
    expect(reply).toContain("Roblox doesn't recognise this API key");
  });

  it("names the missing scope of a read-only key and stores nothing", async () => {
    const { reply } = await linkWithForm(owner, "experience", "1002", READ_ONLY_KEY);
    expect(reply).toContain("`universe.user-restriction:read` and `universe.user-restriction:write`");
    const { reply: writeOnly } = await linkWithForm(owner, "experience", UNIVERSE, READ_ONLY_KEY);
    expect(writeOnly).toContain("lacks `universe.user-restriction:write` for experience 1001");
    expect(await replyText(owner, "setup", "show")).not.toContain("1002");
  });

  it("explains an unknown universe id", async () => {
    const { reply } = await linkWithForm(owner, "experience", "987654", WILDCARD_KEY);
    expect(reply).toContain("Roblox has no experience with universe id 987654");
  });

  it("follows /staff grant and revoke for what a role may run", async () => {
    const moderator = roleId(stack, "Moderator");
    expect(await replyText(alice, "setup", "show")).toContain("You need Warden's `configure` permission");

    expect(await replyText(owner, "staff", "grant", { permission: "configure", role: moderator })).toContain(
      `Granted \`configure\` to <@&${moderator}>`,
    );
    expect(await replyText(alice, "setup", "show")).toContain("Cafe Tycoon");
    expect(await replyText(alice, "staff", "list")).toContain(`**configure**: <@&${moderator}>`);

    expect(await replyText(owner, "staff", "revoke", { permission: "configure", role: moderator })).toContain("Revoked");
    expect(await replyText(alice, "setup", "show")).toContain("You need Warden's `configure` permission");
    await stack.discord.waitForMessage(channelId(stack, "mod-log"), (message) => textOf(message).includes("Revoked `configure`"));
  });

  it("refuses the API-key form of a member whose configure grant went away while it was open, storing nothing", async () => {
    const helper = memberId(stack, "bob");
    await grant(stack, { type: "user", id: helper }, "configure");
    const handle = await run(helper, "setup", "experience", { universe: "1003" });
    await handle.waitForCallback();
    const modal = handle.modal;
    if (modal === undefined) throw new Error("no modal was shown");
    await revokePermission(stack.database.handle.db, {
      guildId: stack.guild.id,
      subject: { type: "user", id: helper },
      permission: "configure",
    });
    const submitted = await stack.discord.submitModal({
      guildId: stack.guild.id,
      channelId: general,
      userId: helper,
      customId: modal.custom_id,
      fields: { api_key: WILDCARD_KEY },
    });
    expect(textOf(await submitted.waitForReply())).toContain("You need Warden's `configure` permission");
    expect(await replyText(owner, "setup", "show")).not.toContain("1003");
  });

  it("asks for exactly one of role or user", async () => {
    expect(await replyText(owner, "staff", "grant", { permission: "ban" })).toContain("Choose either a `role` or a `user`");
  });

  it("never sends an API key to Discord nor writes one to the log", () => {
    const sent = JSON.stringify(stack.discord.requests);
    const logged = stack.logLines.join("\n");
    expect(stack.discord.requests.length).toBeGreaterThan(10);
    expect(stack.logLines.length).toBeGreaterThan(5);
    for (const key of ALL_KEYS) {
      expect(sent).not.toContain(key);
      expect(logged).not.toContain(key);
      expect(logged).not.toContain(key.slice(0, 24));
    }
  });
});
