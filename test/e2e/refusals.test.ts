import { ApplicationCommandOptionType, ApplicationCommandPermissionType } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokePermission } from "../../src/db/staffGrants.js";
import { channelId, grant, linkThroughForm, memberId, roleId, startStack, textOf, type Stack } from "./stack.js";

/** DESIGN.md's "needs" column. */
const NEEDS: Record<string, string> = {
  ban: "ban",
  unban: "unban",
  massban: "ban",
  massunban: "unban",
  rank: "rank",
  suspend: "rank",
  unsuspend: "rank",
  lookup: "lookup",
  history: "lookup",
  bans: "lookup",
  "case show": "lookup",
  "case reason": "manage_cases",
  "case note": "manage_cases",
  "case evidence": "manage_cases",
  "case list": "lookup",
  "joinrequests review": "review_join_requests",
  "joinrequests rules": "configure",
  "joinrequests bulk": "review_join_requests",
  "setup experience": "configure",
  "setup group": "configure",
  "setup channels": "configure",
  "setup show": "configure",
  "setup remove": "configure",
  "setup ranks": "configure",
  "setup guard": "configure",
  "setup appeals": "configure",
  "staff release": "configure",
  "staff grant": "configure",
  "staff revoke": "configure",
  "staff list": "configure",
};

/**
 * The least a member must type for Discord to send each command; `member` fills a user option,
 * `channel` a channel option and `file` an attachment.
 */
const required = (member: string, channel: string, file: string): Record<string, Record<string, string | number | boolean>> => ({
  ban: { user: "156", duration: "1d", reason: "x" },
  unban: { user: "156" },
  massban: { duration: "1d", reason: "x" },
  rank: { user: "156", role: "1" },
  suspend: { user: "156", duration: "1d", reason: "x" },
  unsuspend: { user: "156" },
  "setup ranks": { group: "7", suspended_role: "1", max_role: "2" },
  "setup guard": { actions: 5 },
  "setup appeals": { channel, enabled: true },
  lookup: { user: "156" },
  history: { user: "156" },
  "case show": { number: 1 },
  "case reason": { number: 1, reason: "x" },
  "case note": { number: 1, text: "x" },
  "case evidence": { number: 1, file },
  "case list": { user: "156" },
  "setup experience": { universe: "9001" },
  "setup group": { group: "7" },
  "staff grant": { permission: "ban" },
  "joinrequests bulk": { decision: "accept" },
  "staff revoke": { permission: "ban" },
  "staff release": { user: member },
});

interface Invocation {
  name: string;
  subcommand: string | undefined;
  key: string;
}

const UNIVERSE = "9001";
const KEY = `refusal-key-${"r".repeat(60)}`;

describe("a member without a grant", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    stack.roblox.addUniverse({ id: UNIVERSE, displayName: "Guarded", placeIds: ["9002"] });
    stack.roblox.addUser({ id: "95", name: "GuardOwner" });
    stack.roblox.addUser({ id: "156", name: "builderman" });
    stack.roblox.addApiKey({
      key: KEY,
      ownerId: "95",
      scopes: [{ name: "universe.user-restriction", operations: ["read", "write"], universeIds: [UNIVERSE] }],
    });
    await linkThroughForm(stack, "experience", UNIVERSE, KEY);
    // An admin shows every command to everyone in Server Settings -> Integrations: only Warden's grants stand.
    for (const command of stack.discord.registeredCommands(stack.guild.id)) {
      stack.discord.setCommandPermissions(stack.guild.id, command.id, [
        { id: stack.guild.id, type: ApplicationCommandPermissionType.Role, permission: true },
      ]);
    }
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("is refused by every command and subcommand, with the permission named, and nothing reaches Roblox", async () => {
    const carol = memberId(stack, "carol");
    const invocations = stack.discord.registeredCommands(stack.guild.id).flatMap((command): Invocation[] => {
      const subcommands = (command.options ?? []).filter((option) => option.type === ApplicationCommandOptionType.Subcommand);
      return subcommands.length === 0
        ? [{ name: command.name, subcommand: undefined, key: command.name }]
        : subcommands.map((sub) => ({ name: command.name, subcommand: sub.name, key: `${command.name} ${sub.name}` }));
    });
    expect(invocations.map((invocation) => invocation.key).sort()).toEqual(Object.keys(NEEDS).sort());

    stack.roblox.clearCalls();
    for (const { name, subcommand, key } of invocations) {
      const handle = await stack.discord.runCommand({
        guildId: stack.guild.id,
        channelId: channelId(stack, "general"),
        userId: carol,
        name,
        ...(subcommand === undefined ? {} : { subcommand }),
        options: required(carol, channelId(stack, "general"), stack.discord.uploadAttachment({ filename: "proof.txt", content: "x" }))[key] ?? {},
      });
      expect(textOf(await handle.waitForReply()), `/${key}`).toContain(`You need Warden's \`${NEEDS[key]}\` permission`);
      expect(handle.modal, `/${key}`).toBeUndefined();
    }
    expect(stack.roblox.calls).toEqual([]);
  });

  it("is refused by the permanent-ban button once the grant is gone, and nothing is banned", async () => {
    const alice = memberId(stack, "alice");
    const moderator = { type: "role" as const, id: roleId(stack, "Moderator") };
    await grant(stack, moderator, "ban");
    const handle = await stack.discord.runCommand({
      guildId: stack.guild.id,
      channelId: channelId(stack, "general"),
      userId: alice,
      name: "ban",
      options: { user: "156", duration: "perm", reason: "x" },
    });
    const question = await handle.waitForReply();
    const buttonId = JSON.stringify(question.components).match(/"custom_id":"(ban:ok:[^"]+)"/)?.[1] ?? "";

    await revokePermission(stack.database.handle.db, { guildId: stack.guild.id, subject: moderator, permission: "ban" });
    stack.roblox.clearCalls();
    const click = await stack.discord.clickButton({ userId: alice, messageId: question.id, customId: buttonId });
    expect(textOf(await click.waitForReply((message) => message.id !== question.id))).toContain(
      "You need Warden's `ban` permission",
    );
    expect(stack.roblox.calls.filter((call) => call.method === "PATCH")).toEqual([]);
    expect(stack.roblox.restriction(UNIVERSE, "156")?.active ?? false).toBe(false);
  });
});
