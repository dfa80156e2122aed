import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSharedRateLedger } from "../../src/db/sharedRateLedger.js";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.js";
import { waitUntil } from "../support/waitUntil.js";

/** What the ledger answers a process that must wait: how long at least, and which bucket is the reason. */
describe("the shared rate ledger", () => {
  let database: TestDatabase;
  let ledger: ReturnType<typeof createSharedRateLedger>;
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    ledger = createSharedRateLedger(database.handle.db);
  });
  afterAll(async () => {
    await database?.destroy();
  });

  const IN_FLIGHT_MS = 60_000;
  const take = async (buckets: { id: string; limit: number; windowMs: number }[]) => ledger.take(buckets, IN_FLIGHT_MS);
  const slotOf = (taken: Awaited<ReturnType<typeof take>>) => {
    if (!("slot" in taken)) throw new Error(`expected a slot, was told to wait ${taken.waitMs} ms for ${taken.blockedBy}`);
    return taken.slot;
  };

  it("counts a full bucket's answered slots a window from their answer, and names it", async () => {
    const universe = { id: "t1:universe", limit: 2, windowMs: 10_000 };
    const owner = { id: "t1:owner", limit: 100, windowMs: 60_000 };
    for (let i = 0; i < 2; i++) await ledger.answered([universe, owner], slotOf(await take([universe, owner])));
    const taken = await take([universe, owner]);
    expect(taken).toMatchObject({ blockedBy: "t1:universe" });
    if ("slot" in taken) return;
    expect(taken.waitMs).toBeGreaterThan(9_000);
    expect(taken.waitMs).toBeLessThanOrEqual(10_000);
  });

  it("counts a slot still in flight as if answered now: a window, not its in-flight deadline", async () => {
    const universe = { id: "t2:universe", limit: 1, windowMs: 5_000 };
    slotOf(await take([universe]));
    const taken = await take([universe]);
    if ("slot" in taken) throw new Error("a full bucket gave a slot");
    expect(taken.blockedBy).toBe("t2:universe");
    expect(taken.waitMs).toBeGreaterThan(4_000);
    expect(taken.waitMs).toBeLessThanOrEqual(5_000);
  });

  it("frees an answered slot a window after its answer, long before its in-flight deadline", async () => {
    const universe = { id: "t4:universe", limit: 1, windowMs: 100 };
    await ledger.answered([universe], slotOf(await take([universe])));
    // Unanswered, the slot would count until IN_FLIGHT_MS (a minute) had passed.
    await waitUntil(async () => "slot" in (await take([universe])), 10_000);
  });

  it("names the bucket with the longest wait, a 429's hold included, and takes no slot anywhere", async () => {
    const player = { id: "t3:player", limit: 1, windowMs: 30_000 };
    const universe = { id: "t3:universe", limit: 10, windowMs: 1_000 };
    await ledger.answered([player], slotOf(await take([player])));
    const blocked = await take([universe, player]);
    expect(blocked).toMatchObject({ blockedBy: "t3:player" });

    await ledger.hold([universe], 45_000);
    const held = await take([universe, player]);
    expect(held).toMatchObject({ blockedBy: "t3:universe" });
    if (!("slot" in held)) expect(held.waitMs).toBeGreaterThan(30_000);
    // Neither wait took a slot in the universe: ten calls fit once the hold is over.
    await database.handle.executeSql("UPDATE rate_buckets SET held_until = NULL");
    for (let i = 0; i < 10; i++) slotOf(await take([universe]));
  });
});
