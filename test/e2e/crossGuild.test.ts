import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addExperienceWithKey,
  addGroupWithKey,
  channelId,
  customIdsOf,
  grant,
  inOtherGuild,
  linkThroughForm,
  replyTo,
  roleId,
  startStack,
  textOf,
  type Stack,
} from "./stack.js";

/** What each guild links in the local Open Cloud: nothing in common. */
interface Side {
  name: string;
  view: Stack;
  universeId: string;
  experience: string;
  groupId: string;
  experienceKey: string;
  groupKey: string;
  /** A player with a join request open in this side's group. */
  requester: string;
  /** A member of this guild without any of Warden's permissions. */
  bystander: string;
}


describe("two guilds: an id from one guild is refused in the other, with no Roblox call", () => {
  let stack: Stack;
  let first: Side;
  let second: Side;
  /** A moderator of both guilds, with every permission but `configure` in each: the most a hostile id can borrow. */
  let alice: string;

  async function prepare(side: Omit<Side, "view">, view: Stack, ownerId: string) {
    const { roblox } = stack;
    roblox.addUser({ id: ownerId, name: `owner${ownerId}` });
    addExperienceWithKey(roblox, { universeId: side.universeId, name: side.experience, placeId: `${side.universeId}1`, ownerId, key: side.experienceKey });
    addGroupWithKey(roblox, { groupId: side.groupId, name: `${side.name} fans`, ownerId, key: side.groupKey });
    roblox.addUser({ id: side.requester, name: `fan${side.requester}`, createTime: new Date(Date.now() - 400 * 86_400_000).toISOString() });
    roblox.addJoinRequest({ groupId: side.groupId, userId: side.requester });
    // Eleven bans, so /bans shows a second page and its button.
    for (let index = 0; index < 11; index += 1) {
      const userId = `${side.universeId}${100 + index}`;
      roblox.addUser({ id: userId, name: `${side.name}raider${index}` });
      roblox.banFromGameServer({ universeId: side.universeId, userId, privateReason: `raid in ${side.name}` });
    }
    await linkThroughForm(view, "experience", side.universeId, side.experienceKey);
    await linkThroughForm(view, "group", side.groupId, side.groupKey);
    await replyTo(view, view.guild.ownerId, "setup", "channels", { log: channelId(view, "mod-log"), review: channelId(view, "join-requests") });
    await grant(view, { type: "role", id: roleId(view, "Moderator") }, "ban", "lookup", "review_join_requests");
    await replyTo(view, alice, "joinrequests", "review");
    return { ...side, view };
  }

  /** Runs a command as alice in the side's guild and returns her reply's message. */
  async function aliceRuns(side: Side, name: string, subcommand: string | undefined, options: Record<string, string>) {
    const handle = await stack.discord.runCommand({
      guildId: side.view.guild.id,
      channelId: channelId(side.view, "general"),
      userId: alice,
      name,
      ...(subcommand === undefined ? {} : { subcommand }),
      options,
    });
    return handle.waitForReply();
  }

  /** Clicks `customId` as `userId` in the side's #general, forged, and returns what the clicker was told. */
  async function forgedClickIn(side: Side, customId: string, userId = alice): Promise<string> {
    const click = await stack.discord.forgeClick({ guildId: side.view.guild.id, channelId: channelId(side.view, "general"), userId, customId });
    await click.waitForCallback();
    const answer = await Promise.race([
      click.waitForFollowUp().then(textOf),
      click.waitForReply((message) => !customIdsOf(message).includes(customId)).then(textOf),
    ]);
    return answer;
  }

  beforeAll(async () => {
    stack = await startStack();
    const other = inOtherGuild(stack);
    alice = stack.guild.members.alice ?? "";
    stack.discord.addMember(stack.otherGuild.id, { username: "alice", roles: ["Moderator"] });
    first = await prepare(
      {
        name: "Cafe",
        universeId: "3100",
        experience: "Cafe Game",
        groupId: "31",
        experienceKey: `cafe-game-key-${"c".repeat(50)}`,
        groupKey: `cafe-group-key-${"g".repeat(50)}`,
        requester: "3901",
        bystander: stack.guild.members.carol ?? "",
      },
      stack,
      "3000",
    );
    // Digits that are one account's id and another account's name: /lookup asks which, with pick buttons.
    stack.roblox.addUser({ id: "100003", name: "RealOwnerOfTheId" });
    stack.roblox.addUser({ id: "100004", name: "100003" });
    second = await prepare(
      {
        name: "Obby",
        universeId: "4100",
        experience: "Obby Game",
        groupId: "41",
        experienceKey: `obby-game-key-${"o".repeat(50)}`,
        groupKey: `obby-group-key-${"h".repeat(50)}`,
        requester: "4901",
        bystander: stack.otherGuild.members.olive ?? "",
      },
      other,
      "4000",
    );
  });
  afterAll(async () => {
    await stack?.stop();
  });

  describe.each([
    ["the first guild", "the second", () => [first, second] as const],
    ["the second guild", "the first", () => [second, first] as const],
  ])("in %s, with ids of %s", (_here, _there, sides) => {
    it("refuses a join decision on the other guild's group", async () => {
      const [here, there] = sides();
      for (const decision of ["a", "d"]) {
        stack.roblox.clearCalls();
        const told = await forgedClickIn(here, `jr:${decision}:${there.groupId}:${there.requester}`);
        expect(told).toContain("not linked to this server");
        expect(stack.roblox.calls).toEqual([]);
      }
      // Not even on a real card of this guild, with the other's ids typed in.
      const card = stack.discord.messages(channelId(here.view, "join-requests")).find((message) => customIdsOf(message).length > 0);
      if (card === undefined) throw new Error("no review card was posted");
      stack.roblox.clearCalls();
      const click = await stack.discord.forgeClick({
        guildId: here.view.guild.id,
        channelId: channelId(here.view, "join-requests"),
        userId: alice,
        customId: `jr:a:${there.groupId}:${there.requester}`,
        messageId: card.id,
      });
      expect(textOf(await click.waitForFollowUp())).toContain("not linked to this server");
      expect(stack.roblox.calls).toEqual([]);
      expect(stack.roblox.joinRequests(there.groupId).map((request) => request.userId)).toEqual([there.requester]);
    });

    it("refuses the other guild's permanent-ban confirmation, even to the moderator who asked for it", async () => {
      const [here, there] = sides();
      const asked = await aliceRuns(there, "ban", undefined, { user: `${there.name}raider0`, duration: "perm", reason: "borrowed" });
      const confirm = customIdsOf(asked).find((id) => id.startsWith("ban:ok:"));
      if (confirm === undefined) throw new Error(`no confirmation button: ${textOf(asked)}`);
      stack.roblox.clearCalls();
      expect(await forgedClickIn(here, confirm)).toContain("nothing was done");
      expect(stack.roblox.calls).toEqual([]);
    });

    it("refuses a page of the other guild's /bans list", async () => {
      const [here, there] = sides();
      const list = await aliceRuns(there, "bans", undefined, {});
      const next = customIdsOf(list).find((id) => id.startsWith("bans:pg:") && id.endsWith(":1"));
      if (next === undefined) throw new Error(`no page button: ${textOf(list)}`);
      stack.roblox.clearCalls();
      const told = await forgedClickIn(here, next);
      expect(told).toContain("expired");
      expect(told).not.toContain(there.experience);
      expect(stack.roblox.calls).toEqual([]);
    });

    it("refuses the other guild's bulk join-request confirmation", async () => {
      const [here, there] = sides();
      const asked = await aliceRuns(there, "joinrequests", "bulk", { decision: "accept" });
      const confirm = customIdsOf(asked).find((id) => id.startsWith("jrb:ok:"));
      if (confirm === undefined) throw new Error(`no confirmation button: ${textOf(asked)}`);
      stack.roblox.clearCalls();
      expect(await forgedClickIn(here, confirm)).toContain("nothing was done");
      expect(stack.roblox.calls).toEqual([]);
      expect(stack.roblox.joinRequests(there.groupId).map((request) => request.userId)).toEqual([there.requester]);
    });

    it("refuses the other guild's choice between two players", async () => {
      const [here, there] = sides();
      const asked = await aliceRuns(there, "lookup", undefined, { user: "100003" });
      const pick = customIdsOf(asked).find((id) => id.startsWith("pick:"));
      if (pick === undefined) throw new Error(`no pick button: ${textOf(asked)}`);
      stack.roblox.clearCalls();
      const told = await forgedClickIn(here, pick);
      expect(told).toContain("nothing was done");
      expect(stack.roblox.calls).toEqual([]);
    });

    it("shows a /case list page of the clicker's own guild only", async () => {
      const [here, there] = sides();
      const raider = `${there.universeId}102`;
      expect(textOf(await aliceRuns(there, "ban", undefined, { user: `id:${raider}`, duration: "1d", reason: `only ${there.name} knows` }))).toContain(
        "Banned",
      );
      stack.roblox.clearCalls();
      const told = await forgedClickIn(here, `cases:pg:${raider}:0`);
      expect(told).toContain("has no cases in this server");
      expect(told).not.toContain(`only ${there.name} knows`);
      expect(stack.roblox.calls).toEqual([]);
    });

    it("refuses the API-key form of the other guild's experience from a member without `configure`", async () => {
      const [here, there] = sides();
      stack.roblox.clearCalls();
      const submitted = await stack.discord.forgeModalSubmit({
        guildId: here.view.guild.id,
        channelId: channelId(here.view, "general"),
        userId: here.bystander,
        customId: `setup:u:${there.universeId}:stolen`,
        fields: { api_key: there.experienceKey },
      });
      expect(textOf(await submitted.waitForReply())).toContain("You need Warden's `configure` permission");
      expect(stack.roblox.calls).toEqual([]);
      const setup = await replyTo(here.view, here.view.guild.ownerId, "setup", "show");
      expect(setup).toContain(here.universeId);
      expect(setup).not.toContain(there.universeId);
    });
  });
});
