// A wave of 1,000 join requests in one group with rules on, decided by the
// rules through the same exactly-once path a click takes: how close the
// decisions run to Roblox's accept/decline budget (100/min per key owner,
// time-scaled), and whether any request was decided twice or not at all.
// Target: decisions/s ÷ budget >= 0.95; double and lost decisions 0.
// Measured warm, after an unmeasured wave in another owner's group.
//
// The review board and mod log are Discord's side and stand idle here (their
// posts are not what is measured); the database is a throwaway PostgreSQL,
// the Roblox side the budget-enforcing local Open Cloud.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { tmpdir } from "node:os";
import { createApiKeyCipher } from "../src/db/apiKeyCipher.js";
import { openDatabase } from "../src/db/connection.js";
import { setGroupRules } from "../src/db/links.js";
import { createOpenCloud } from "../src/opencloud/index.js";
import { PlayerProfiles } from "../src/services/playerProfiles.js";
import { postPendingRequests, type ReviewDeps } from "../src/services/joinRequests/postPendingRequests.js";
import { openLinkedById } from "../src/services/moderation/linkedExperience.js";
import { linkWithApiKey } from "../src/services/setup.js";
import { OPERATION_BUDGETS, startOpenCloudEmulator, type OpenCloudEmulator } from "../test/emulators/opencloud/index.js";
import { createDatabase, startPostgresServer } from "../test/support/postgresServer.js";

const REQUESTS = 1_000;
// Scale 60 turns 100/min into 100/s: the wave takes ~10 s.
const TIME_SCALE = Number(process.env.BENCH_TIME_SCALE ?? 60);
const GUILD = "123456789012345678";
const GROUP = "77";
const OWNER = "7700";
const KEY = `bench-group-key-${randomBytes(8).toString("hex")}`;
// Unmeasured, on a group of another owner (budgets are per owner): the first
// few hundred requests run cold (JIT, sockets, prepared statements), which a
// bot that has been up for a while does not.
const WARM_UP = { group: "78", owner: "7800", key: `bench-warm-up-key-${randomBytes(8).toString("hex")}`, requests: 200 };

export async function run(): Promise<void> {
  // Accept and decline have a budget each (100/min per key owner), so a mixed wave can run at both at once.
  const { limit, windowMs } = OPERATION_BUDGETS["groups.acceptJoinRequest"].perOwner;
  const budgetPerS = (limit * 1_000 * TIME_SCALE) / windowMs;
  console.log(
    `\n## Join-request wave: ${REQUESTS} requests, rules on, time scale ${TIME_SCALE} (accept and decline: ${budgetPerS}/s each, scaled)`,
  );

  const server = await startPostgresServer();
  const emulator = await startOpenCloudEmulator({ timeScale: TIME_SCALE });
  const database = await openDatabase({
    databaseUrl: await createDatabase(server.url, `warden_bench_join_${process.pid}`),
    dataDir: tmpdir(),
  });
  const openCloud = createOpenCloud({
    openCloudUrl: emulator.openCloudUrl,
    usersUrl: emulator.usersUrl,
    thumbnailsUrl: emulator.thumbnailsUrl,
    timeScale: TIME_SCALE,
  });
  try {
    await database.migrate();
    seedGroup(emulator, { group: GROUP, owner: OWNER, key: KEY, requests: REQUESTS, firstUserId: 100_000 });
    seedGroup(emulator, { ...WARM_UP, firstUserId: 200_000 });

    const deps: ReviewDeps = {
      db: database.db,
      processId: "join-decisions-bench",
      openCloud,
      profiles: new PlayerProfiles(openCloud),
      cipher: createApiKeyCipher(randomBytes(32)),
      notices: { postSetupNotice: () => Promise.resolve() },
      publisher: { publishCase: async () => ({ posted: false, problem: "no Discord in this benchmark" }) },
      reviewBoard: {
        postRequest: async () => ({ posted: true, messageId: "1", channelId: "1" }),
        showDecision: async () => undefined,
      },
      automationActorId: "1",
      logger: { warn: () => undefined, error: () => undefined },
    };
    for (const { group, key } of [{ group: GROUP, key: KEY }, WARM_UP]) {
      await linkWithApiKey(deps, { guildId: GUILD, actorId: "1", kind: "group", robloxId: group, name: undefined, apiKey: key });
      await setGroupRules(database.db, GUILD, group, { minAccountAgeDays: 30, autoAcceptClean: true });
    }
    await decideWave(deps, WARM_UP.group, WARM_UP.requests);
    emulator.clearCalls();

    const started = performance.now();
    await decideWave(deps, GROUP, REQUESTS);
    const seconds = (performance.now() - started) / 1_000;

    const decisions = emulator.calls.filter((call) => call.method === "POST" && /:(accept|decline)$/.test(call.path) && call.status === 200);
    const perUser = new Map<string, number>();
    for (const call of decisions) {
      const userId = /join-requests\/(\d+):/.exec(call.path)?.[1] ?? "";
      perUser.set(userId, (perUser.get(userId) ?? 0) + 1);
    }
    const doubles = [...perUser.values()].filter((count) => count > 1).length;
    const lost = REQUESTS - perUser.size;
    // At the budget, the wave takes as long as its larger half needs.
    const accepts = decisions.filter((call) => call.path.endsWith(":accept")).length;
    const idealSeconds = Math.max(accepts, decisions.length - accepts) / budgetPerS;
    const ratio = idealSeconds / seconds;
    const rejected = emulator.calls.filter((call) => call.status === 429).length;
    console.log(`decisions: ${decisions.length} in ${seconds.toFixed(2)} s = ${(decisions.length / seconds).toFixed(1)}/s`);
    console.log(`rate / budget: ${ratio.toFixed(3)} (target >= 0.95: ${ratio >= 0.95 ? "met" : "MISSED"})`);
    // Above 1 is no overrun: a sliding window lets a whole window's quota go at once, so the
    // first 100 of each kind leave together. From then on a slot is reused one window after
    // its last use at the soonest; how much later it is reused is what pacing costs.
    const reuse = slotReuseMs(decisions.map((call) => ({ kind: call.path.slice(call.path.lastIndexOf(":")), at: Date.parse(call.time) })), limit);
    const windowScaledMs = windowMs / TIME_SCALE;
    console.log(
      `slot reuse after the first window: p50 ${reuse.p50} ms, max ${reuse.max} ms (window ${windowScaledMs} ms): steady rate / budget ${(windowScaledMs / reuse.p50).toFixed(3)}`,
    );
    console.log(`double decisions: ${doubles}, lost decisions: ${lost} (target 0, 0: ${doubles === 0 && lost === 0 ? "met" : "MISSED"})`);
    console.log(`429s on the wire: ${rejected}; requests left in Roblox: ${emulator.joinRequests(GROUP).length}`);
  } finally {
    await openCloud.close();
    await database.close();
    await emulator.close();
    server.stop();
  }
}

/** How long after a decision the decision `limit` places later of the same kind went out: the window, plus what pacing lost. */
function slotReuseMs(decisions: readonly { kind: string; at: number }[], limit: number): { p50: number; max: number } {
  const gaps: number[] = [];
  for (const kind of new Set(decisions.map((decision) => decision.kind))) {
    const times = decisions.filter((decision) => decision.kind === kind).map((decision) => decision.at);
    times.sort((a, b) => a - b);
    for (let index = limit; index < times.length; index += 1) gaps.push((times[index] ?? 0) - (times[index - limit] ?? 0));
  }
  gaps.sort((a, b) => a - b);
  return { p50: gaps[Math.floor(gaps.length / 2)] ?? NaN, max: gaps.at(-1) ?? NaN };
}

function seedGroup(
  emulator: OpenCloudEmulator,
  seed: { group: string; owner: string; key: string; requests: number; firstUserId: number },
): void {
  emulator.addUser({ id: seed.owner, name: `Owner${seed.owner}` });
  emulator.addGroup({ id: seed.group, displayName: `Group ${seed.group}`, ownerId: seed.owner });
  emulator.addApiKey({
    key: seed.key,
    ownerId: seed.owner,
    authorizedUserId: seed.owner,
    scopes: [{ name: "group", operations: ["read", "write"], groupIds: [seed.group] }],
  });
  for (let index = 0; index < seed.requests; index += 1) {
    const userId = String(seed.firstUserId + index);
    // Half the wave is a day old, half a year: the rules decline the first and accept the second.
    const ageDays = index % 2 === 0 ? 1 : 180;
    emulator.addUser({ id: userId, name: `wave${userId}`, createTime: new Date(Date.now() - ageDays * 86_400_000).toISOString() });
    emulator.addJoinRequest({ groupId: seed.group, userId });
  }
}

/** Each run takes the oldest waiting requests; the poller would run again, so the bench does. */
async function decideWave(deps: ReviewDeps, group: string, requests: number): Promise<void> {
  const linked = await openLinkedById(deps, GUILD, "group", group);
  let decided = 0;
  for (let runs = 0; decided < requests && runs < 20; runs += 1) {
    decided += (await postPendingRequests(deps, GUILD, linked)).decidedByRules;
  }
}
