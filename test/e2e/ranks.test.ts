import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { channelId, linkThroughForm, memberId, replyTo, startStack, textOf, type Stack } from "./stack.js";

const GROUP = "8";
const KEY = `rank-key-${"r".repeat(60)}`;
const OWNER = "97";
const ROLES = {
  guest: { id: "800", displayName: "Guest", rank: 0 },
  member: { id: "801", displayName: "Member", rank: 1 },
  suspended: { id: "802", displayName: "Suspended", rank: 2 },
  trusted: { id: "810", displayName: "Trusted", rank: 10 },
  moderator: { id: "850", displayName: "Moderator", rank: 50 },
  admin: { id: "900", displayName: "Admin", rank: 100 },
  owner: { id: "955", displayName: "Owner", rank: 255 },
};

describe("group ranks from Discord", () => {
  let stack: Stack;
  let owner: string;
  let modLog: string;

  const setupRanks = (suspended_role: string, max_role: string, userId = owner) =>
    replyTo(stack, userId, "setup", "ranks", { group: GROUP, suspended_role, max_role });

  beforeAll(async () => {
    stack = await startStack();
    owner = memberId(stack, "owner");
    modLog = channelId(stack, "mod-log");
    stack.roblox.addUser({ id: OWNER, name: "RankOwner" });
    stack.roblox.addGroup({ id: GROUP, displayName: "Cafe Staff", ownerId: OWNER, roles: Object.values(ROLES) });
    stack.roblox.addApiKey({ key: KEY, ownerId: OWNER, scopes: [{ name: "group", operations: ["read", "write"], groupIds: [GROUP] }] });
    await linkThroughForm(stack, "group", GROUP, KEY);
    await replyTo(stack, owner, "setup", "channels", { log: modLog });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  describe("/setup ranks", () => {
    it("offers the group's roles by name and rank, each by its id", async () => {
      const choices = await stack.discord.autocomplete({
        guildId: stack.guild.id,
        channelId: channelId(stack, "general"),
        userId: owner,
        name: "setup",
        subcommand: "ranks",
        options: { group: GROUP },
        focused: "max_role",
        value: "",
      });
      expect(choices).toEqual(Object.values(ROLES).map((role) => ({ name: `${role.displayName} · rank ${role.rank}`, value: role.id })));
      const typed = await stack.discord.autocomplete({
        guildId: stack.guild.id,
        channelId: channelId(stack, "general"),
        userId: owner,
        name: "setup",
        subcommand: "ranks",
        options: { group: GROUP },
        focused: "suspended_role",
        value: "susp",
      });
      expect(typed).toEqual([{ name: "Suspended · rank 2", value: ROLES.suspended.id }]);
    });

    it("stores both roles and posts the change", async () => {
      const reply = await setupRanks(ROLES.suspended.id, ROLES.moderator.id);
      expect(reply).toContain("/suspend moves members to **Suspended** (rank 2)");
      expect(reply).toContain("Warden assigns roles up to **Moderator** (rank 50)");
      await stack.discord.waitForMessage(modLog, (message) => textOf(message).includes("Ranks for group **Cafe Staff**"));
      const { rows } = await stack.database.handle.executeSql(
        "SELECT suspended_role_id, max_role_id FROM group_links WHERE group_id = $1",
        [GROUP],
      );
      expect(rows).toEqual([{ suspended_role_id: ROLES.suspended.id, max_role_id: ROLES.moderator.id }]);
    });

    it("refuses the Guest and Owner roles, and a suspended role above the ceiling", async () => {
      expect(await setupRanks(ROLES.guest.id, ROLES.moderator.id)).toContain("Roblox lets no one assign the Guest or Owner role");
      expect(await setupRanks(ROLES.suspended.id, ROLES.owner.id)).toContain("Roblox lets no one assign the Guest or Owner role");
      expect(await setupRanks(ROLES.admin.id, ROLES.trusted.id)).toContain("is above `max_role`");
    });

    it("refuses a key that can no longer write to the group, and keeps what was stored", async () => {
      stack.roblox.updateApiKey(KEY, { scopes: [{ name: "group", operations: ["read"], groupIds: [GROUP] }] });
      try {
        expect(await setupRanks(ROLES.member.id, ROLES.admin.id)).toContain("lacks `group:write` for group 8");
      } finally {
        stack.roblox.updateApiKey(KEY, { scopes: [{ name: "group", operations: ["read", "write"], groupIds: [GROUP] }] });
      }
      const { rows } = await stack.database.handle.executeSql("SELECT max_role_id FROM group_links WHERE group_id = $1", [GROUP]);
      expect(rows).toEqual([{ max_role_id: ROLES.moderator.id }]);
    });
  });
});
