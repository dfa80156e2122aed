import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../support/waitUntil.js";
import { channelId, finishedRuns, grant, linkThroughForm, memberId, replyTo, roleId, startStack, textOf, type Stack } from "./stack.js";

const GROUP = "9";
const REFUSED_GROUP = "10";
const KEY = `audit-key-${"a".repeat(60)}`;
const NARROW_KEY = `audit-key-${"n".repeat(60)}`;
const OWNER = "98";
const WEBSITE_ADMIN = "4242";
const ROLES = [
  { id: "900", displayName: "Guest", rank: 0 },
  { id: "901", displayName: "Member", rank: 1 },
  { id: "902", displayName: "Suspended", rank: 2 },
  { id: "910", displayName: "Trusted", rank: 10 },
  { id: "950", displayName: "Moderator", rank: 50 },
  { id: "999", displayName: "Owner", rank: 255 },
];
const QUEUE = "groups.audit-sync";

describe("a group's audit log as cases", () => {
  let stack: Stack;
  let alice: string;
  let modLog: string;

  const sql = (text: string, values: unknown[] = []) => stack.database.handle.executeSql(text, values);
  const casesOf = async (userId: string) =>
    (await sql("SELECT action, source, roblox_moderator_id, moderator_discord_id, from_role_id, to_role_id FROM cases WHERE roblox_user_id = $1 ORDER BY number", [userId]))
      .rows;
  /** Two more syncs finished: whatever the log held before this call has been read. */
  const twoMoreSyncs = async () => {
    const before = await finishedRuns(stack, QUEUE);
    await waitUntil(async () => (await finishedRuns(stack, QUEUE)) >= before + 2, 30_000);
  };

  beforeAll(async () => {
    stack = await startStack(undefined, { groupAuditSyncSeconds: 1 });
    alice = memberId(stack, "alice");
    modLog = channelId(stack, "mod-log");
    stack.roblox.addUser({ id: OWNER, name: "AuditOwner" });
    stack.roblox.addUser({ id: WEBSITE_ADMIN, name: "WebsiteAdmin" });
    for (const groupId of [GROUP, REFUSED_GROUP]) {
      stack.roblox.addGroup({ id: groupId, displayName: `Audit Group ${groupId}`, ownerId: OWNER, roles: ROLES.map((role) => ({ ...role, id: `${groupId}${role.id}` })) });
    }
    stack.roblox.addApiKey({
      key: KEY,
      ownerId: OWNER,
      scopes: [
        { name: "group", operations: ["read", "write"], groupIds: [GROUP] },
        { name: "legacy-group", operations: ["manage"] },
      ],
    });
    stack.roblox.addApiKey({ key: NARROW_KEY, ownerId: OWNER, scopes: [{ name: "group", operations: ["read", "write"], groupIds: [REFUSED_GROUP] }] });
    for (const userId of ["6001", "6002", "6003", "6004"]) {
      stack.roblox.addUser({ id: userId, name: `player${userId}` });
      stack.roblox.addMembership({ groupId: GROUP, userId, roleId: `${GROUP}901` });
    }
    // Before the link: history, not news.
    stack.roblox.rankOnWebsite({ groupId: GROUP, userId: "6001", roleId: `${GROUP}910`, actorId: WEBSITE_ADMIN });
    await replyTo(stack, stack.guild.ownerId, "setup", "channels", { log: modLog });
    await linkThroughForm(stack, "group", GROUP, KEY);
    await linkThroughForm(stack, "group", REFUSED_GROUP, NARROW_KEY);
    await replyTo(stack, stack.guild.ownerId, "setup", "ranks", { group: GROUP, suspended_role: `${GROUP}902`, max_role: `${GROUP}950` });
    await grant(stack, { type: "role", id: roleId(stack, "Moderator") }, "rank");
    await twoMoreSyncs();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("records nothing from before the first sync", async () => {
    expect(await casesOf("6001")).toEqual([]);
  });

  it("records a rank change made on the website once, with its Roblox actor, and Warden's own not a second time", async () => {
    stack.roblox.rankOnWebsite({ groupId: GROUP, userId: "6002", roleId: `${GROUP}910`, actorId: WEBSITE_ADMIN });
    const logged = await stack.discord.waitForMessage(modLog, (message) => textOf(message).includes("Rank change") && textOf(message).includes("player6002"), 30_000);
    expect(textOf(logged)).toContain(`Roblox user ${WEBSITE_ADMIN}`);
    expect(textOf(logged)).toContain(`Member (\`${GROUP}901\`) → Trusted (\`${GROUP}910\`)`);

    expect(await replyTo(stack, alice, "rank", undefined, { user: "id:6002", role: `${GROUP}901`, group: GROUP })).toContain("Trusted → Member");
    await twoMoreSyncs();
    expect(await casesOf("6002")).toEqual([
      { action: "rank", source: "group_audit_log", roblox_moderator_id: WEBSITE_ADMIN, moderator_discord_id: null, from_role_id: `${GROUP}901`, to_role_id: `${GROUP}910` },
      { action: "rank", source: "discord", roblox_moderator_id: null, moderator_discord_id: alice, from_role_id: `${GROUP}910`, to_role_id: `${GROUP}901` },
    ]);
  });

  it("records a removal, a ban and an unban made on the website once each, with their Roblox actor and a mod-log post", async () => {
    stack.roblox.removeOnWebsite({ groupId: GROUP, userId: "6003", actorId: WEBSITE_ADMIN });
    stack.roblox.banFromGroupOnWebsite({ groupId: GROUP, userId: "6004", actorId: WEBSITE_ADMIN });
    stack.roblox.banFromGroupOnWebsite({ groupId: GROUP, userId: "6004", actorId: WEBSITE_ADMIN, active: false });
    const postOf = (title: string, player: string) => (message: Parameters<typeof textOf>[0]) => textOf(message).includes(title) && textOf(message).includes(player);
    const posts = [
      await stack.discord.waitForMessage(modLog, postOf("Removed from the group", "player6003"), 30_000),
      await stack.discord.waitForMessage(modLog, postOf("Group ban", "player6004"), 30_000),
      await stack.discord.waitForMessage(modLog, postOf("Group unban", "player6004"), 30_000),
    ];
    for (const post of posts) {
      expect(textOf(post)).toContain(`Roblox user ${WEBSITE_ADMIN}`);
      expect(textOf(post)).toContain(`\`${GROUP}\``);
    }
    const outside = { source: "group_audit_log", roblox_moderator_id: WEBSITE_ADMIN, moderator_discord_id: null, from_role_id: null, to_role_id: null };
    const expected = { "6003": [{ action: "group_remove", ...outside }], "6004": [{ action: "group_ban", ...outside }, { action: "group_unban", ...outside }] };
    expect({ "6003": await casesOf("6003"), "6004": await casesOf("6004") }).toEqual(expected);

    const postCount = () => stack.discord.messages(modLog).filter((message) => ["player6003", "player6004"].some((player) => textOf(message).includes(player))).length;
    expect(postCount()).toBe(3);
    await twoMoreSyncs();
    expect({ "6003": await casesOf("6003"), "6004": await casesOf("6004") }).toEqual(expected);
    expect(postCount()).toBe(3);
  });

  it("lists the group's removals, bans and unbans by action, in words", async () => {
    const listed = async (action: string) => replyTo(stack, stack.guild.ownerId, "case", "list", { action });
    const removals = await listed("group_remove");
    expect(removals).toContain("action Removed from the group");
    expect(removals).toMatch(/removed from the group · applied · player6003/);
    expect(removals).not.toContain("player6004");
    const bans = await listed("group_ban");
    expect(bans).toMatch(/group ban · applied · player6004/);
    expect(bans).not.toContain("group unban");
    expect(await listed("group_unban")).toMatch(/group unban · applied · player6004/);
  });

  it("tells the mod log once that a key may not read the audit log, not at every sync", async () => {
    await twoMoreSyncs();
    const notices = stack.discord.messages(modLog).filter((message) => textOf(message).includes(`Roblox refuses the audit log of group **Audit Group ${REFUSED_GROUP}**`));
    expect(notices).toHaveLength(1);
    expect(textOf(notices[0]!)).toContain("legacy-group:manage");
  });
});
