import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCase } from "../../src/db/cases.js";
import { waitUntil } from "../support/waitUntil.js";
import { channelId, grant, linkThroughForm, memberId, replyTo, roleId, startStack, textOf, type Stack } from "./stack.js";

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

/** Group members by user id: their name and the role they start in. */
const MEMBERS = {
  "5001": { name: "RookieRiley", role: ROLES.member },
  "5002": { name: "TrustedTess", role: ROLES.trusted },
  "5003": { name: "ModMorgan", role: ROLES.moderator },
  "5004": { name: "SpammySam", role: ROLES.trusted },
  "5005": { name: "ForgivenFinn", role: ROLES.member },
  "5006": { name: "PromotedPat", role: ROLES.member },
};
const OUTSIDER = { id: "5009", name: "OutsiderOlly" };

describe("group ranks from Discord", () => {
  let stack: Stack;
  let owner: string;
  let alice: string;
  let modLog: string;

  const roleWrites = () => stack.roblox.calls.filter((call) => call.method === "POST" && /:(un)?assignRole$/.test(call.path));
  const rolesOf = (userId: string) => stack.roblox.members(GROUP).find((member) => member.userId === userId)?.roleIds;
  const rankAs = (userId: string, user: string, role: string, extra: Record<string, string> = {}) =>
    replyTo(stack, userId, "rank", undefined, { user, role, ...extra });

  const setupRanks = (suspended_role: string, max_role: string, userId = owner) =>
    replyTo(stack, userId, "setup", "ranks", { group: GROUP, suspended_role, max_role });

  beforeAll(async () => {
    stack = await startStack();
    owner = memberId(stack, "owner");
    modLog = channelId(stack, "mod-log");
    stack.roblox.addUser({ id: OWNER, name: "RankOwner" });
    stack.roblox.addGroup({ id: GROUP, displayName: "Cafe Staff", ownerId: OWNER, roles: Object.values(ROLES) });
    stack.roblox.addApiKey({ key: KEY, ownerId: OWNER, scopes: [{ name: "group", operations: ["read", "write"], groupIds: [GROUP] }] });
    for (const [userId, member] of Object.entries(MEMBERS)) {
      stack.roblox.addUser({ id: userId, name: member.name });
      stack.roblox.addMembership({ groupId: GROUP, userId, roleId: member.role.id });
    }
    stack.roblox.addUser(OUTSIDER);
    alice = memberId(stack, "alice");
    await linkThroughForm(stack, "group", GROUP, KEY);
    await replyTo(stack, owner, "setup", "channels", { log: modLog });
    await grant(stack, { type: "role", id: roleId(stack, "Moderator") }, "rank");
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

  describe("/rank", () => {
    it("promotes and demotes within max_role, each a case verified in Roblox and posted to the mod log", async () => {
      const promoted = await rankAs(alice, "id:5001", ROLES.trusted.id, { reason: "steady helper" });
      expect(promoted).toMatch(/Case #\d+ · Ranked RookieRiley/);
      expect(promoted).toContain("Member → Trusted");
      expect(rolesOf("5001")).toEqual([ROLES.trusted.id]);
      const logged = await stack.discord.waitForMessage(modLog, (message) => textOf(message).includes("Rank change") && textOf(message).includes("RookieRiley"));
      expect(textOf(logged)).toContain(`Member (\`${ROLES.member.id}\`) → Trusted (\`${ROLES.trusted.id}\`)`);
      expect(textOf(logged)).toContain("steady helper");

      // By name, as a moderator may type it.
      expect(await rankAs(alice, "RookieRiley", "member")).toContain("Trusted → Member");
      expect(rolesOf("5001")).toEqual([ROLES.member.id]);
      const { rows } = await stack.database.handle.executeSql(
        "SELECT action, status, from_role_id, to_role_id, group_id, moderator_discord_id FROM cases WHERE roblox_user_id = '5001' ORDER BY number",
      );
      expect(rows).toEqual([
        { action: "rank", status: "applied", from_role_id: ROLES.member.id, to_role_id: ROLES.trusted.id, group_id: GROUP, moderator_discord_id: alice },
        { action: "rank", status: "applied", from_role_id: ROLES.trusted.id, to_role_id: ROLES.member.id, group_id: GROUP, moderator_discord_id: alice },
      ]);
    });

    it("refuses to change a member's role while another change of it is under way, from any process", async () => {
      // A live process (its heartbeat is fresh) is carrying a rank change of 5001 to Roblox.
      await stack.database.handle.executeSql("INSERT INTO processes (id) VALUES ('another-live-process')");
      const inFlight = await createCase(stack.database.handle.db, {
        guildId: stack.guild.id,
        action: "rank",
        robloxUserId: "5001",
        groupId: GROUP,
        fromRoleId: ROLES.member.id,
        toRoleId: ROLES.trusted.id,
        moderatorDiscordId: owner,
        ownerProcess: "another-live-process",
      });
      stack.roblox.clearCalls();
      try {
        expect(await rankAs(alice, "id:5001", ROLES.suspended.id)).toContain("Another change of **RookieRiley**'s role in Cafe Staff is under way right now");
        expect(roleWrites()).toEqual([]);
      } finally {
        await stack.database.handle.executeSql("UPDATE cases SET status = 'failed', error = 'test' WHERE id = $1", [inFlight.id]);
        await stack.database.handle.executeSql("DELETE FROM processes WHERE id = 'another-live-process'");
      }
    });

    it("refuses, without a write to Roblox, a role above max_role, a member at max_role, a player not in the group, and Guest or Owner", async () => {
      stack.roblox.clearCalls();
      expect(await rankAs(alice, "id:5002", ROLES.admin.id)).toContain("is above **Moderator** (rank 50), the highest role Warden may assign");
      expect(await rankAs(alice, "id:5003", ROLES.trusted.id)).toContain("at or above **Moderator** (rank 50)");
      expect(await rankAs(alice, `id:${OUTSIDER.id}`, ROLES.trusted.id)).toContain("**OutsiderOlly** (5009) is not in **Cafe Staff**");
      expect(await rankAs(alice, "id:5002", ROLES.guest.id)).toContain("Roblox lets no one assign the Guest or Owner role");
      expect(await rankAs(alice, "id:5002", ROLES.owner.id)).toContain("Roblox lets no one assign the Guest or Owner role");
      expect(await rankAs(alice, "id:5002", ROLES.trusted.id)).toContain("already **Trusted** (rank 10)");
      expect(roleWrites()).toEqual([]);
      expect(rolesOf("5002")).toEqual([ROLES.trusted.id]);
    });

    it("records a change Roblox refuses as a failed case, and says why", async () => {
      stack.roblox.updateApiKey(KEY, { scopes: [{ name: "group", operations: ["read"], groupIds: [GROUP] }] });
      let reply;
      try {
        reply = await rankAs(alice, "id:5002", ROLES.member.id);
      } finally {
        stack.roblox.updateApiKey(KEY, { scopes: [{ name: "group", operations: ["read", "write"], groupIds: [GROUP] }] });
      }
      expect(reply).toMatch(/Case #\d+: the rank of \*\*TrustedTess\*\* failed\./);
      expect(rolesOf("5002")).toEqual([ROLES.trusted.id]);
      const { rows } = await stack.database.handle.executeSql("SELECT status FROM cases WHERE roblox_user_id = '5002'");
      expect(rows).toEqual([{ status: "failed" }]);
    });

    it("finishes, once, a rank change a dead process left pending, and leaves alone a member ranked by hand meanwhile", async () => {
      const interrupted = (userId: string, from: { id: string; displayName: string }, to: { id: string; displayName: string }) =>
        createCase(stack.database.handle.db, {
          guildId: stack.guild.id,
          action: "rank",
          robloxUserId: userId,
          robloxUsername: MEMBERS[userId as keyof typeof MEMBERS].name,
          groupId: GROUP,
          fromRoleId: from.id,
          fromRoleName: from.displayName,
          toRoleId: to.id,
          toRoleName: to.displayName,
          moderatorDiscordId: alice,
          ownerProcess: "a-process-that-died",
        });
      const resumed = await interrupted("5001", ROLES.member, ROLES.trusted);
      // Asked to move 5002 from Member, but 5002 is Trusted: someone ranked them in Roblox since.
      const overtaken = await interrupted("5002", ROLES.member, ROLES.suspended);
      const statusOf = async (id: number) =>
        (await stack.database.handle.executeSql("SELECT status, error FROM cases WHERE id = $1", [id])).rows[0] as { status: string; error: string | null };
      await waitUntil(async () => (await statusOf(resumed.id)).status !== "pending" && (await statusOf(overtaken.id)).status !== "pending");
      expect(await statusOf(resumed.id)).toEqual({ status: "applied", error: null });
      expect(rolesOf("5001")).toEqual([ROLES.trusted.id]);
      expect((await statusOf(overtaken.id)).error).toContain("changed in Roblox meanwhile; Warden left it as it is");
      expect(rolesOf("5002")).toEqual([ROLES.trusted.id]);
      await stack.discord.waitForMessage(modLog, (message) => textOf(message).includes(`Case #${overtaken.number} · Rank change`));
      expect(await rankAs(alice, "id:5001", ROLES.member.id)).toContain("Trusted → Member");
    });

    it("refuses a member without the rank permission, checked at every run", async () => {
      const bob = memberId(stack, "bob");
      expect(await rankAs(bob, "id:5002", ROLES.member.id)).toContain("You need Warden's `rank` permission");
      expect(rolesOf("5002")).toEqual([ROLES.trusted.id]);
    });
  });

  describe("/suspend and /unsuspend", () => {
    const sql = (text: string, values: unknown[] = []) => stack.database.handle.executeSql(text, values);
    const suspendAs = (userId: string, user: string, duration: string, reason = "cooling off") =>
      replyTo(stack, userId, "suspend", undefined, { user, duration, reason });
    /** The suspensions' time passes: what the queue holds for later, and what they end at, become now. */
    const letSuspensionsRunOut = async () => {
      await sql("UPDATE suspensions SET ends_at = now() WHERE ended_at IS NULL");
      await sql("UPDATE pgboss.job SET start_after = now() WHERE name = 'ranks.restore' AND state = 'created'");
    };
    const restoreJobs = async () =>
      (await sql("SELECT state FROM pgboss.job WHERE name = 'ranks.restore' ORDER BY created_on")).rows as { state: string }[];
    const casesOf = async (userId: string) =>
      (await sql("SELECT action, status, from_role_id, to_role_id, error FROM cases WHERE roblox_user_id = $1 ORDER BY number", [userId])).rows as {
        action: string;
        status: string;
        from_role_id: string;
        to_role_id: string;
        error: string | null;
      }[];

    it("moves the member to the suspended role and gives their role back once when it runs out, across a restart", async () => {
      const reply = await suspendAs(alice, "id:5004", "1h", "spamming the wall");
      expect(reply).toMatch(/Case #\d+ · Suspended SpammySam/);
      expect(reply).toContain("Trusted → Suspended");
      expect(rolesOf("5004")).toEqual([ROLES.suspended.id]);
      await stack.discord.waitForMessage(modLog, (message) => textOf(message).includes("Suspension") && textOf(message).includes("SpammySam"));

      await stack.restart();
      await letSuspensionsRunOut();
      await waitUntil(async () => (await casesOf("5004")).some((row) => row.action === "unsuspend" && row.status !== "pending"), 30_000);
      expect(rolesOf("5004")).toEqual([ROLES.trusted.id]);
      await stack.discord.waitForMessage(modLog, (message) => textOf(message).includes("Suspension lifted") && textOf(message).includes("SpammySam"));
      await waitUntil(async () => (await restoreJobs()).every((job) => job.state === "completed"));
      // Once more: the catch-up at a start finds the suspension ended and schedules nothing.
      await stack.restart();
      expect(await restoreJobs()).toEqual([{ state: "completed" }]);
      expect((await casesOf("5004")).map((row) => [row.action, row.status, row.from_role_id, row.to_role_id])).toEqual([
        ["suspend", "applied", ROLES.trusted.id, ROLES.suspended.id],
        ["unsuspend", "applied", ROLES.suspended.id, ROLES.trusted.id],
      ]);
    });

    it("lifts a suspension early with /unsuspend, and the scheduled restore then does nothing", async () => {
      await suspendAs(alice, "id:5005", "2w");
      expect(rolesOf("5005")).toEqual([ROLES.suspended.id]);
      const lifted = await replyTo(stack, alice, "unsuspend", undefined, { user: "ForgivenFinn", reason: "apologised" });
      expect(lifted).toMatch(/Case #\d+ · Lifted the suspension of ForgivenFinn/);
      expect(rolesOf("5005")).toEqual([ROLES.member.id]);
      stack.roblox.clearCalls();
      await letSuspensionsRunOut();
      await waitUntil(async () => (await restoreJobs()).every((job) => job.state === "completed"));
      expect(roleWrites()).toEqual([]);
      expect((await casesOf("5005")).map((row) => row.action)).toEqual(["suspend", "unsuspend"]);
      expect(await replyTo(stack, alice, "unsuspend", undefined, { user: "id:5005" })).toContain("has no suspension running in **Cafe Staff**");
    });

    it("leaves a member ranked by hand in Roblox during the suspension as they are, and the mod log says so", async () => {
      await suspendAs(alice, "id:5006", "7d");
      stack.roblox.addMembership({ groupId: GROUP, userId: "5006", roleId: ROLES.trusted.id });
      stack.roblox.clearCalls();
      await letSuspensionsRunOut();
      const logged = await stack.discord.waitForMessage(
        modLog,
        (message) => textOf(message).includes("Suspension lifted") && textOf(message).includes("PromotedPat") && !textOf(message).includes("pending"),
        30_000,
      );
      expect(textOf(logged)).toContain("was ranked in Roblox during the suspension (no longer Suspended); Warden left them as they are.");
      expect(rolesOf("5006")).toEqual([ROLES.trusted.id]);
      expect(roleWrites()).toEqual([]);
    });

    it("refuses a suspension without an end, a member at max_role, and a member without the rank permission", async () => {
      expect(await suspendAs(alice, "id:5002", "perm")).toContain("A suspension ends by itself, so it needs a length");
      expect(await suspendAs(alice, "id:5003", "1d")).toContain("at or above **Moderator** (rank 50)");
      const bob = memberId(stack, "bob");
      expect(await suspendAs(bob, "id:5002", "1d")).toContain("You need Warden's `rank` permission");
      expect(await replyTo(stack, bob, "unsuspend", undefined, { user: "id:5002" })).toContain("You need Warden's `rank` permission");
      expect(rolesOf("5002")).toEqual([ROLES.trusted.id]);
    });
  });
});
