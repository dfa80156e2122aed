import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createSharedRateLedger, forgetIdleRateBuckets } from "../../src/db/sharedRateLedger.js";
import { createOpenCloud, type OpenCloud } from "../../src/opencloud/index.js";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.js";
import { FULL_KEY, OWNER, UNIVERSE, addPlayers, startHarness, type Harness } from "./harness.js";

/**
 * Two processes' Open Cloud clients (two clients, as two processes have)
 * banning in one universe at once: each alone plans the universe's 10 bans a
 * second and together they send twice that; sharing the budget through
 * PostgreSQL, they send no more than Roblox allows.
 */
describe.each([
  ["each planning alone", false],
  ["sharing the budget through PostgreSQL", true],
])("two processes banning in one universe, %s", (_name, shared) => {
  // 10 bans a second per universe: at 2, a half-second window, longer than two clients take for 21.
  const TIME_SCALE = 2;
  const PER_PROCESS = 20;
  let h: Harness;
  let database: TestDatabase;
  let processes: OpenCloud[];

  beforeAll(async () => {
    h = await startHarness({ emulator: { timeScale: TIME_SCALE, enforceRateLimits: true } });
    database = await createTestDatabase("postgres");
    const ledger = shared ? createSharedRateLedger(database.handle.db) : undefined;
    processes = [0, 1].map(() =>
      createOpenCloud({
        openCloudUrl: h.oc.openCloudUrl,
        usersUrl: h.oc.usersUrl,
        thumbnailsUrl: h.oc.thumbnailsUrl,
        timeScale: TIME_SCALE,
        backoffBaseMs: 2,
        sharedLedger: ledger,
      }),
    );
  });
  afterAll(async () => {
    await Promise.all(processes.map((client) => client.close()));
    await h?.close();
    await database?.destroy();
  });

  it(shared ? "applies every ban with no 429 on the wire" : "meets 429s (and still applies every ban)", async () => {
    const players = addPlayers(h.oc, PER_PROCESS * 2, 30_000);
    await Promise.all(
      processes.flatMap((client, index) =>
        players
          .slice(index * PER_PROCESS, (index + 1) * PER_PROCESS)
          .map((userId) => client.withKey(FULL_KEY, { ownerId: OWNER }).userRestrictions.ban({ universeId: UNIVERSE, userId, privateReason: "raid" })),
      ),
    );
    for (const userId of players) expect(h.oc.restriction(UNIVERSE, userId)?.active).toBe(true);
    const refused = h.oc.calls.filter((call) => call.status === 429);
    if (shared) expect(refused).toEqual([]);
    else expect(refused.length).toBeGreaterThan(0);
  });

  it.runIf(shared)("forgets the buckets nobody used for two minutes", async () => {
    const db = database.handle.db;
    const count = async () => ((await db.execute(sql`SELECT count(*)::int AS n FROM rate_buckets`)) as unknown as { rows: { n: number }[] }).rows[0]?.n;
    expect(await count()).toBeGreaterThan(PER_PROCESS * 2);
    await forgetIdleRateBuckets(db);
    expect(await count()).toBeGreaterThan(PER_PROCESS * 2);
    await db.execute(sql`UPDATE rate_buckets SET slots = ARRAY[now() - interval '3 minutes']::timestamptz[]`);
    await forgetIdleRateBuckets(db);
    expect(await count()).toBe(0);
  });
});

describe("three processes waiting on one full bucket", () => {
  const TIME_SCALE = 2;
  const PER_PROCESS = 20;
  let h: Harness;
  let database: TestDatabase;
  let processes: OpenCloud[];
  let takes = 0;

  beforeAll(async () => {
    h = await startHarness({ emulator: { timeScale: TIME_SCALE, enforceRateLimits: true } });
    database = await createTestDatabase("postgres");
    const ledger = createSharedRateLedger(database.handle.db);
    const counted = { ...ledger, take: (...args: Parameters<typeof ledger.take>) => ((takes += 1), ledger.take(...args)) };
    processes = [0, 1, 2].map(() =>
      createOpenCloud({ openCloudUrl: h.oc.openCloudUrl, usersUrl: h.oc.usersUrl, thumbnailsUrl: h.oc.thumbnailsUrl, timeScale: TIME_SCALE, sharedLedger: counted }),
    );
  });
  afterAll(async () => {
    await Promise.all(processes.map((client) => client.close()));
    await h?.close();
    await database?.destroy();
  });

  // Each process lets ten of its calls at a time wait for the shared universe bucket; if each asked
  // on its own, thirty callers would ask every few milliseconds for the slot that one of them gets.
  it("ask the ledger a few times per call, not once per waiter per slot freed", async () => {
    const players = addPlayers(h.oc, PER_PROCESS * 3, 50_000);
    await Promise.all(
      processes.flatMap((client, index) =>
        players
          .slice(index * PER_PROCESS, (index + 1) * PER_PROCESS)
          .map((userId) => client.withKey(FULL_KEY, { ownerId: OWNER }).userRestrictions.ban({ universeId: UNIVERSE, userId, privateReason: "raid" })),
      ),
    );
    expect(h.oc.calls.filter((call) => call.status === 429)).toEqual([]);
    // About four: its first ask, then each process's first in line asks once per slot freed (88 when every waiter polled).
    expect(takes / players.length).toBeLessThan(10);
  });
});

describe("a 429 answered to one process", () => {
  let h: Harness;
  let database: TestDatabase;
  let clients: OpenCloud[];

  beforeAll(async () => {
    h = await startHarness({ emulator: { timeScale: 1, enforceRateLimits: true } });
    database = await createTestDatabase("postgres");
    const ledger = createSharedRateLedger(database.handle.db);
    const client = (sharedLedger?: typeof ledger) =>
      createOpenCloud({ openCloudUrl: h.oc.openCloudUrl, usersUrl: h.oc.usersUrl, thumbnailsUrl: h.oc.thumbnailsUrl, backoffBaseMs: 2, sharedLedger });
    // Another tool on the same universe, outside Warden: it spends the budget without telling anyone.
    clients = [client(), client(ledger), client(ledger)];
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await h?.close();
    await database?.destroy();
  });

  it("holds back every process on that bucket until its reset", async () => {
    const [outsider, first, second] = clients.map((client) => client.withKey(FULL_KEY, { ownerId: OWNER }).userRestrictions);
    const ban = (restrictions: typeof first, userId: string) => restrictions?.ban({ universeId: UNIVERSE, userId, privateReason: "raid" });
    const players = addPlayers(h.oc, 12, 40_000);
    await Promise.all(players.slice(0, 10).map((userId) => ban(outsider, userId)));
    const refused = () => h.oc.calls.filter((call) => call.status === 429);

    const firstBan = ban(first, players[10] ?? "");
    const held = async () =>
      ((await database.handle.db.execute(sql`SELECT count(*)::int AS n FROM rate_buckets WHERE held_until > now()`)) as unknown as { rows: { n: number }[] })
        .rows[0]?.n ?? 0;
    await expect.poll(held, { interval: 5 }).toBeGreaterThan(0);
    expect(refused()).toHaveLength(1);
    // Asked after Roblox told the first process to wait: the second waits too, without a 429 of its own.
    await Promise.all([firstBan, ban(second, players[11] ?? "")]);
    expect(refused()).toHaveLength(1);
    for (const userId of players) expect(h.oc.restriction(UNIVERSE, userId)?.active).toBe(true);
  });
});
