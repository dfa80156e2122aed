// /massban through the bot, as staff use it: 500 players in one universe on the local Discord and a
// local Open Cloud enforcing Roblox's documented budgets (time-scaled), from the Confirm click to the
// last ban applied; then the same with 20% of requests failing (5xx, connection resets, and bans
// applied whose answer is lost). Baseline in the same run: openblox's bulk on the same emulator, what
// a scripter would run instead (bench/bulkBan.ts).
// Targets: share of the per-universe budget >= 0.95, 0 429s on the wire, 0 lost or duplicated bans.
import { performance } from "node:perf_hooks";
import { and, eq, isNotNull } from "drizzle-orm";
import { cases } from "../src/db/schema.js";
import { addExperienceWithKey, channelId, customIdStarting, grant, linkThroughForm, replyTo, startStack, textOf } from "../test/e2e/stack.js";
import { OPERATION_BUDGETS, type FaultSettings } from "../test/emulators/opencloud/index.js";
import { startPostgresServer } from "../test/support/postgresServer.js";
import { printTable, scenario, viaOpenblox, type Row } from "./bulkBan.js";

const PLAYERS = 500;
// Half-second windows: the client counts a slot until a window after its answer (the only stamp that
// cannot undercount), so each window also costs a round trip; at scale 10 (100 ms windows) a loaded
// machine's few milliseconds of loopback and database weigh ten times what they do at Roblox's pace.
const TIME_SCALE = 2;
const UNIVERSE = "9001";
const KEY = `mass-bench-key-${"b".repeat(40)}`;
const FAULTS: Partial<FaultSettings> = { errorRate: 0.1, resetRate: 0.05, applyThenFailRate: 0.05 };
const { limit, windowMs } = OPERATION_BUDGETS["userRestrictions.update"].perUniverse;
const BUDGET_PER_S = (limit * 1_000 * TIME_SCALE) / windowMs;

export async function run(): Promise<void> {
  console.log(`\n## /massban through the bot: ${PLAYERS} players, one universe, time scale ${TIME_SCALE} (update budget ${BUDGET_PER_S}/s scaled)`);
  const server = await startPostgresServer();
  try {
    for (const faults of [false, true]) await reportBotRun(server.url, faults);
  } finally {
    await server.stop();
  }
  const baseline: Row[] = [];
  for (const faults of [false, true]) baseline.push(await scenario("openblox (baseline)", faults, viaOpenblox, PLAYERS));
  printTable(baseline);
}

async function reportBotRun(serverUrl: string, faults: boolean): Promise<void> {
    const result = await throughTheBot(serverUrl, faults);
    const share = result.applied / result.seconds / BUDGET_PER_S;
    const met = share >= 0.95 && result.wire429 === 0 && result.lost === 0 && result.duplicates === 0;
    console.log(
      `  Warden /massban, faults ${faults ? "20%" : "none"}: ${result.seconds.toFixed(2)} s from Confirm to the last ban, ` +
        `${result.applied}/${PLAYERS} applied, ${result.lost} lost, ${result.duplicates} duplicated, ${result.wire429} 429s on the wire, ` +
        `${share.toFixed(3)} of the budget` +
        (faults ? "" : ` (target >= 0.95, 0 429s, 0 lost or duplicated: ${met ? "met" : "NOT met"})`),
    );
}

async function throughTheBot(serverUrl: string, faults: boolean) {
  const stack = await startStack(undefined, { timeScale: TIME_SCALE, postgresServerUrl: serverUrl, env: { LOG_LEVEL: "silent" } });
  try {
    stack.roblox.addUser({ id: "98", name: "BenchOwner" });
    addExperienceWithKey(stack.roblox, { universeId: UNIVERSE, name: "Bench Park", placeId: "9002", ownerId: "98", key: KEY });
    const players = Array.from({ length: PLAYERS }, (_, index) => ({ id: String(900_000 + index), name: `bench${index}` }));
    for (const player of players) stack.roblox.addUser(player);
    await linkThroughForm(stack, "experience", UNIVERSE, KEY);
    await replyTo(stack, stack.guild.ownerId, "setup", "channels", { log: channelId(stack, "mod-log") });
    await grant(stack, { type: "user", id: stack.guild.ownerId }, "ban");
    const shown = await (
      await stack.discord.runCommand({
        guildId: stack.guild.id,
        channelId: channelId(stack, "general"),
        userId: stack.guild.ownerId,
        name: "massban",
        options: { users: players.map((player) => player.name).join("\n"), duration: "1d", reason: "bench" },
      })
    ).waitForReply(undefined, 60_000);
    const start = customIdStarting(shown, "mb:ok:");
    if (faults) stack.roblox.setFaults(FAULTS);
    const clicked = performance.now();
    await stack.discord.clickButton({ userId: stack.guild.ownerId, messageId: shown.id, customId: start });
    const settled = async () =>
      (await stack.database.handle.db.select().from(cases).where(and(eq(cases.guildId, stack.guild.id), isNotNull(cases.bulkRunId), eq(cases.status, "applied"))))
        .length;
    while ((await settled()) < PLAYERS) await new Promise((resolve) => setTimeout(resolve, 20));
    const seconds = (performance.now() - clicked) / 1_000;
    await stack.discord.waitForMessage(channelId(stack, "mod-log"), (message) => textOf(message).includes("Mass ban in Bench Park"), 60_000);

    const perUser = new Map<string, number>();
    for (const entry of stack.roblox.logs(UNIVERSE)) perUser.set(entry.user, (perUser.get(entry.user) ?? 0) + 1);
    const applied = players.filter((player) => stack.roblox.restriction(UNIVERSE, player.id)?.active === true).length;
    return {
      seconds,
      applied,
      lost: PLAYERS - applied,
      duplicates: [...perUser.values()].filter((count) => count > 1).length,
      wire429: stack.roblox.calls.filter((call) => call.status === 429).length,
    };
  } finally {
    await stack.stop();
  }
}
