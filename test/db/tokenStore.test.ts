import { tmpdir } from "node:os";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { openDatabase, type Database, type DatabaseHandle } from "../../src/db/connection.js";
import { pendingButtons } from "../../src/db/schema.js";
import { createButtonStores } from "../../src/discord/buttonStores.js";
import type { BulkDecision, PendingBan } from "../../src/discord/botContext.js";
import type { PlayerChoice } from "../../src/discord/playerChoice.js";
import { TokenStore } from "../../src/discord/tokenStore.js";
import type { ActiveBans } from "../../src/services/moderation/activeBans.js";
import { UserError } from "../../src/services/userError.js";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.js";

const GUILD = "123456789012345678";
const OTHER_GUILD = "223456789012345678";
const ALICE = "323456789012345678";
const BOB = "423456789012345678";
const TTL_MS = 60_000;

describe.each(["postgres", "pglite"] as const)("token store on %s", (kind) => {
  let database: TestDatabase;
  /** A second process's connection to the same database (PGlite is one process's alone: the same one). */
  let second: DatabaseHandle;
  let db: Database;
  const store = (limits = { perInvoker: 2, total: 3 }, on: Database = db) => new TokenStore(on, "ban_confirmation", z.string(), TTL_MS, limits);
  const rows = async () => (await db.select({ token: pendingButtons.token }).from(pendingButtons)).length;
  /** Ages every entry past its expiry, as the database's clock moving on would. */
  const expireAll = () => db.update(pendingButtons).set({ expiresAt: sql`now() - interval '1 second'` });

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = database.handle.db;
    second = database.url === undefined ? database.handle : await openDatabase({ databaseUrl: database.url, dataDir: tmpdir() });
  });
  afterAll(async () => {
    if (second !== database.handle) await second.close();
    await database.destroy();
  });
  beforeEach(async () => {
    await db.delete(pendingButtons);
  });

  it("keeps an entry with its invoker, in its guild only, until it is taken once", async () => {
    const bans = store();
    const { token } = await bans.add(GUILD, ALICE, "ban 156");
    expect(token).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(await bans.get(token, GUILD)).toEqual({ invokerId: ALICE, value: "ban 156" });
    expect(await bans.get(token, OTHER_GUILD)).toBeUndefined();
    expect(await bans.take(token, OTHER_GUILD, ALICE)).toBeUndefined();

    expect(await bans.take(token, GUILD, ALICE)).toBe("ban 156");
    expect(await bans.take(token, GUILD, ALICE)).toBeUndefined();
    expect(await bans.get(token, GUILD)).toBeUndefined();
  });

  it("gives an entry only to the member who made it", async () => {
    const bans = store();
    const { token } = await bans.add(GUILD, ALICE, "ban 156");
    expect(await bans.take(token, GUILD, BOB)).toBeUndefined();
    expect(await bans.get(token, GUILD)).toEqual({ invokerId: ALICE, value: "ban 156" });
  });

  it("keeps a token to its own kind", async () => {
    const { token } = await store().add(GUILD, ALICE, "ban 156");
    const lists = new TokenStore(db, "ban_list", z.string(), TTL_MS);
    expect(await lists.get(token, GUILD)).toBeUndefined();
    expect(await lists.take(token, GUILD, ALICE)).toBeUndefined();
  });

  it("lives its TTL by the database's clock, then is neither read nor taken, and is swept", async () => {
    const bans = store();
    const { token, expiresAt } = await bans.add(GUILD, ALICE, "ban 156");
    const [row] = await db.select().from(pendingButtons);
    expect(row?.expiresAt).toEqual(expiresAt);
    expect((row?.expiresAt.getTime() ?? 0) - (row?.createdAt.getTime() ?? 0)).toBe(TTL_MS);

    await expireAll();
    expect(await bans.get(token, GUILD)).toBeUndefined();
    expect(await bans.take(token, GUILD, ALICE)).toBeUndefined();
    await store().add(GUILD, BOB, "another");
    expect(await rows()).toBe(1);
  });

  it("reads a value that does not fit its schema as expired, and never acts on it", async () => {
    const { token } = await store().add(GUILD, ALICE, "written by another version");
    const numbers = new TokenStore(db, "ban_confirmation", z.number(), TTL_MS);
    expect(await numbers.get(token, GUILD)).toBeUndefined();
    expect(await numbers.take(token, GUILD, ALICE)).toBeUndefined();
  });

  it("replaces a member's oldest entry once they hold their share", async () => {
    const bans = store();
    const first = (await bans.add(GUILD, ALICE, "list 1")).token;
    const second = (await bans.add(GUILD, ALICE, "list 2")).token;
    const bobs = (await bans.add(GUILD, BOB, "list b")).token;
    const third = (await bans.add(GUILD, ALICE, "list 3")).token;
    expect(await bans.get(first, GUILD)).toBeUndefined();
    expect((await bans.get(second, GUILD))?.value).toBe("list 2");
    expect((await bans.get(third, GUILD))?.value).toBe("list 3");
    expect((await bans.get(bobs, GUILD))?.value).toBe("list b");
  });

  it("refuses a newcomer when full, rather than evicting another member's entry, until entries expire", async () => {
    const bans = store();
    const members = ["523456789012345678", "623456789012345678", "723456789012345678"];
    const kept = await Promise.all(members.map(async (member) => (await bans.add(GUILD, member, `${member}'s ban`)).token));
    await expect(bans.add(GUILD, ALICE, "one more")).rejects.toThrow(UserError);
    await expect(bans.add(GUILD, ALICE, "one more")).rejects.toThrow(/too many pending buttons/);
    for (const token of kept) expect(await bans.get(token, GUILD)).toBeDefined();
    // Full with other kinds does not count against this one.
    expect((await new TokenStore(db, "ban_list", z.string(), TTL_MS).add(GUILD, ALICE, "a list")).token).toBeDefined();

    await expireAll();
    expect((await bans.add(GUILD, ALICE, "one more")).token).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });

  it("holds a simultaneous flood from one member, from two processes, to their share", async () => {
    const here = store({ perInvoker: 5, total: 5_000 });
    const there = store({ perInvoker: 5, total: 5_000 }, second.db);
    const tokens = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? here : there).add(GUILD, ALICE, `list ${i}`)));
    const left = await Promise.all(tokens.map(({ token }) => here.get(token, GUILD)));
    expect(left.filter((entry) => entry !== undefined)).toHaveLength(5);
    expect(await rows()).toBe(5);
  });

  it("admits exactly the total from many members adding at once in two processes", async () => {
    const here = store({ perInvoker: 5, total: 3 });
    const there = store({ perInvoker: 5, total: 3 }, second.db);
    const members = Array.from({ length: 12 }, (_, i) => `${900000000000000000 + i}`);
    const added = await Promise.allSettled(members.map((member, i) => (i % 2 === 0 ? here : there).add(GUILD, member, `${member}'s list`)));
    expect(added.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(3);
    expect(await rows()).toBe(3);
  });

  it("gives an entry to exactly one of many simultaneous takes, across two processes", async () => {
    const here = store();
    const there = store(undefined, second.db);
    const { token } = await here.add(GUILD, ALICE, "ban 156");
    const taken = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? here : there).take(token, GUILD, ALICE)));
    expect(taken.filter((value) => value !== undefined)).toEqual(["ban 156"]);
  });

  it("reads back exactly what each of Warden's button stores keeps", async () => {
    const stores = createButtonStores(db);
    const pendingBan: PendingBan = {
      request: {
        guildId: GUILD,
        moderatorId: ALICE,
        player: "id:156",
        duration: "perm",
        privateReason: "spam bots",
        publicReason: undefined,
        experience: "3001",
        placeId: undefined,
        excludeAltAccounts: false,
        evidenceAttachmentId: "523456789012345678",
      },
      playerName: "builderman",
      experienceName: "Obby World",
    };
    const choice: PlayerChoice = {
      request: { command: "ban", subcommand: null, guildId: GUILD, invokerId: ALICE, options: { user: "100003", duration: "1d", exclude_alts: true } },
      candidateIds: ["100003", "200004"],
    };
    const list: ActiveBans = {
      experienceName: "Obby World",
      universeId: "3001",
      placeId: "4001",
      bans: [
        { userId: "156", username: "builderman", endTime: new Date("2027-01-02T03:04:05.678Z"), reasonPreview: "exploiting" },
        { userId: "157", username: undefined, endTime: null, reasonPreview: "" },
      ],
      truncated: true,
    };
    const bulk: BulkDecision = { guildId: GUILD, groupId: "7", groupName: "Group", userIds: ["11", "12"], decision: "decline" };

    const roundTrip = async <T>(kept: TokenStore<T>, value: T) => kept.take((await kept.add(GUILD, ALICE, value)).token, GUILD, ALICE);
    expect(await roundTrip(stores.banConfirmations, pendingBan)).toEqual(pendingBan);
    expect(await roundTrip(stores.playerChoices, choice)).toEqual(choice);
    expect(await roundTrip(stores.banLists, list)).toEqual(list);
    expect(await roundTrip(stores.bulkDecisions, bulk)).toEqual(bulk);
  });
});
