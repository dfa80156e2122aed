import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { channelId, linkThroughForm, memberId, replyTo, startStack, type Stack } from "./stack.js";
import { waitUntil } from "../support/waitUntil.js";

const GROUP = "17";
const KEY = `poll-key-${"p".repeat(60)}`;

describe("join requests polled on a schedule, end to end", () => {
  let stack: Stack;
  let review: string;

  const polls = () => stack.logLines.filter((line) => line.includes('"msg":"join requests polled')).length;
  /** Waits for `count` more polls of the group to finish from now. */
  const morePolls = async (count: number) => {
    const seen = polls();
    await waitUntil(() => polls() >= seen + count);
  };
  const cardsFor = () =>
    stack.discord
      .messages(review)
      .map((message) => message.embeds[0]?.url?.match(/\/users\/(\d+)\/profile/)?.[1])
      .filter((userId) => userId !== undefined);
  const requestToJoin = (userId: string) => {
    stack.roblox.addUser({ id: userId, name: `joiner${userId}`, createTime: new Date(Date.now() - 90 * 86_400_000).toISOString() });
    stack.roblox.addJoinRequest({ groupId: GROUP, userId });
  };

  beforeAll(async () => {
    stack = await startStack(undefined, { joinRequestMinIntervalSeconds: 1 });
    review = channelId(stack, "join-requests");
    stack.roblox.addUser({ id: "95", name: "PollOwner" });
    stack.roblox.addGroup({ id: GROUP, displayName: "Polled Group", ownerId: "95" });
    stack.roblox.addApiKey({ key: KEY, ownerId: "95", scopes: [{ name: "group", operations: ["read", "write"], groupIds: [GROUP] }] });
    for (const userId of ["1700", "1701", "1702"]) requestToJoin(userId);
    await linkThroughForm(stack, "group", GROUP, KEY);
    await replyTo(stack, memberId(stack, "owner"), "setup", "channels", { review });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("posts open and newly arriving requests to the review channel without a command, each once", async () => {
    await waitUntil(() => cardsFor().length === 3);
    requestToJoin("1703");
    await waitUntil(() => cardsFor().includes("1703"));
    await morePolls(2);
    expect(cardsFor().sort()).toEqual(["1700", "1701", "1702", "1703"]);
  });

  it("does not post them again after a restart, and keeps polling", async () => {
    await stack.restart();
    await morePolls(2);
    expect(cardsFor().sort()).toEqual(["1700", "1701", "1702", "1703"]);
    requestToJoin("1704");
    await waitUntil(() => cardsFor().includes("1704"));
    await morePolls(1);
    expect(cardsFor().sort()).toEqual(["1700", "1701", "1702", "1703", "1704"]);
  });

  it("logs a poll that fails, and the next poll tries again", async () => {
    stack.roblox.setFaults({ errorRate: 1 });
    await waitUntil(() => stack.logLines.some((line) => line.includes("join-request poll failed") && line.includes(`"groupId":"${GROUP}"`)));
    stack.roblox.setFaults({ errorRate: 0 });
    requestToJoin("1705");
    await waitUntil(() => cardsFor().includes("1705"));
    expect(cardsFor()).toHaveLength(6);
  });
});
