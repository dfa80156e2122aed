// Join requests reach the review channel within seconds, at Roblox's own pace (time scale 1): the
// local Open Cloud enforces the real budgets in real time, so the bot's plan has to keep to them.
// A file of its own, because it waits real seconds. The bounds are the promise (10 s for one
// group, 20 s for twenty of one owner); the plan reads them every 2 s and every 8 s.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../support/postgresServer.js";
import { waitUntil } from "../support/waitUntil.js";
import { addGroupWithKey, channelId, linkThroughForm, memberId, replyTo, startStack, type Stack } from "./stack.js";

const SOLO = { owner: "9500", group: "9501" };
const FLEET = { owner: "9600", groups: Array.from({ length: 20 }, (_, index) => String(9601 + index)) };
const keyOf = (groupId: string) => `delay-key-${groupId}-${"d".repeat(50)}`;

describe("join requests read as often as the owner's list budget allows, at Roblox's pace", () => {
  let stack: Stack;
  let review: string;
  let port: number;

  const polled = (groupId: string) => stack.logLines.some((line) => line.includes('"msg":"join requests polled') && line.includes(`"groupId":"${groupId}"`));
  const cardOf = (userId: string) =>
    stack.discord.messages(review).find((message) => message.embeds[0]?.url?.includes(`/users/${userId}/profile`));
  const requestToJoin = (groupId: string, userId: string) => {
    stack.roblox.addUser({ id: userId, name: `joiner${userId}`, createTime: new Date(Date.now() - 90 * 86_400_000).toISOString() });
    stack.roblox.addJoinRequest({ groupId, userId });
  };
  /** From the request's createTime in Roblox to its card's timestamp in Discord, as each side recorded them. */
  const delayMs = (groupId: string, userId: string) => {
    const request = stack.roblox.joinRequests(groupId).find((candidate) => candidate.userId === userId);
    const card = cardOf(userId);
    if (request === undefined || card === undefined) throw new Error(`no card for ${userId}`);
    return Date.parse(card.timestamp) - Date.parse(request.createTime);
  };

  beforeAll(async () => {
    port = await freePort();
    stack = await startStack(undefined, { timeScale: 1, joinRequestMinIntervalSeconds: 2, env: { HTTP_PORT: String(port) } });
    review = channelId(stack, "join-requests");
    await replyTo(stack, memberId(stack, "owner"), "setup", "channels", { review });
    for (const owner of [SOLO.owner, FLEET.owner]) stack.roblox.addUser({ id: owner, name: `Owner${owner}` });
    for (const [groupId, owner] of [[SOLO.group, SOLO.owner], ...FLEET.groups.map((groupId) => [groupId, FLEET.owner])] as const) {
      addGroupWithKey(stack.roblox, { groupId, name: `Group ${groupId}`, ownerId: owner, key: keyOf(groupId) });
      await linkThroughForm(stack, "group", groupId, keyOf(groupId));
    }
    // Measured once every group is in the plan and read: a link is picked up within a few seconds.
    await waitUntil(() => [SOLO.group, ...FLEET.groups].every(polled), 60_000);
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("cards a request in a single linked group within 10 s", async () => {
    requestToJoin(SOLO.group, "95001");
    await waitUntil(() => cardOf("95001") !== undefined, 30_000);
    expect(delayMs(SOLO.group, "95001")).toBeLessThanOrEqual(10_000);
  });

  it("cards a request in each of twenty groups of one owner within 20 s", async () => {
    const requests = FLEET.groups.map((groupId, index) => ({ groupId, userId: String(96_001 + index) }));
    for (const { groupId, userId } of requests) requestToJoin(groupId, userId);
    await waitUntil(() => requests.every(({ userId }) => cardOf(userId) !== undefined), 60_000);
    for (const { groupId, userId } of requests) expect(delayMs(groupId, userId), `group ${groupId}`).toBeLessThanOrEqual(20_000);
  }, 70_000);

  it("gets no 429 from Roblox meanwhile", () => {
    expect(stack.roblox.calls.filter((call) => call.status === 429)).toEqual([]);
  });

  it("shows each owner's read interval on /healthz and the delays on /metrics", async () => {
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { joinRequestReads: unknown[] };
    expect(health.joinRequestReads).toEqual(
      expect.arrayContaining([
        { owner: `owner:${SOLO.owner}`, groups: 1, intervalSeconds: 2, backedOff: false },
        { owner: `owner:${FLEET.owner}`, groups: 20, intervalSeconds: 8, backedOff: false },
      ]),
    );
    expect(JSON.stringify(health)).not.toContain("delay-key");
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain("warden_join_request_card_delay_seconds_count 21");
    expect(metrics).toContain('warden_join_request_card_delay_seconds_bucket{le="20"} 21');
  });
});
