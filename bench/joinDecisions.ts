// A wave of 1,000 join requests in one group with rules on, decided by the
// rules through the same exactly-once path a click takes: how close the
// decisions run to Roblox's accept/decline budget (100/min per key owner,
// time-scaled), and whether any request was decided twice or not at all.
// Target: decisions/s ÷ budget >= 0.95; double and lost decisions 0.
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
import { postPendingRequests, type ReviewDeps } from "../src/services/joinRequests/postPendingRequests.js";
import { linkWithApiKey } from "../src/services/setup.js";
import { OPERATION_BUDGETS, startOpenCloudEmulator } from "../test/emulators/opencloud/index.js";
import { createDatabase, startPostgresServer } from "../test/support/postgresServer.js";

const REQUESTS = 1_000;
// Scale 60 turns 100/min into 100/s: the wave takes ~10 s.
const TIME_SCALE = Number(process.env.BENCH_TIME_SCALE ?? 60);
const GUILD = "123456789012345678";
const GROUP = "77";
const OWNER = "7700";
const KEY = `bench-group-key-${randomBytes(8).toString("hex")}`;

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
    emulator.addUser({ id: OWNER, name: "WaveOwner" });
    emulator.addGroup({ id: GROUP, displayName: "Wave Group", ownerId: OWNER });
    emulator.addApiKey({ key: KEY, ownerId: OWNER, authorizedUserId: OWNER, scopes: [{ name: "group", operations: ["read", "write"], groupIds: [GROUP] }] });
    for (let index = 0; index < REQUESTS; index += 1) {
      const userId = String(100_000 + index);
      // Half the wave is a day old, half a year: the rules decline the first and accept the second.
      const ageDays = index % 2 === 0 ? 1 : 180;
      emulator.addUser({ id: userId, name: `wave${index}`, createTime: new Date(Date.now() - ageDays * 86_400_000).toISOString() });
      emulator.addJoinRequest({ groupId: GROUP, userId });
    }

    const deps: ReviewDeps = {
      db: database.db,
      openCloud,
      cipher: createApiKeyCipher(randomBytes(32)),
      publisher: { publishCase: async () => ({ posted: false, problem: "no Discord in this benchmark" }) },
      reviewBoard: {
        postRequest: async () => ({ posted: true, messageId: "1", channelId: "1" }),
        showDecision: async () => undefined,
      },
      automationActorId: "1",
      logger: { warn: () => undefined, error: () => undefined },
    };
    await linkWithApiKey(deps, { guildId: GUILD, actorId: "1", kind: "group", robloxId: GROUP, name: undefined, apiKey: KEY });
    await setGroupRules(database.db, GUILD, GROUP, { minAccountAgeDays: 30, autoAcceptClean: true });
    emulator.clearCalls();

    const started = performance.now();
    let decided = 0;
    // Each run takes the oldest waiting requests; the poller would run again, so the bench does.
    for (let runs = 0; decided < REQUESTS && runs < 20; runs += 1) {
      decided += (await postPendingRequests(deps, GUILD, GROUP)).decidedByRules;
    }
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
    console.log(`double decisions: ${doubles}, lost decisions: ${lost} (target 0, 0: ${doubles === 0 && lost === 0 ? "met" : "MISSED"})`);
    console.log(`429s on the wire: ${rejected}; requests left in Roblox: ${emulator.joinRequests(GROUP).length}`);
  } finally {
    await openCloud.close();
    await database.close();
    await emulator.close();
    server.stop();
  }
}
