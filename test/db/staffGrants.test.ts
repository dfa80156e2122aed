import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grantPermission, hasGrant } from "../../src/db/staffGrants.js";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.js";

const GUILD = "123456789012345678";
const MOD_ROLE = "223456789012345678";
const ALICE = "323456789012345678";
const BOB = "423456789012345678";

describe.each(["postgres", "pglite"] as const)("staff grants on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const db = database.handle.db;
    await grantPermission(db, { guildId: GUILD, subject: { type: "role", id: MOD_ROLE }, permission: "ban", grantedBy: ALICE });
    await grantPermission(db, { guildId: GUILD, subject: { type: "user", id: BOB }, permission: "lookup", grantedBy: ALICE });
  });
  afterAll(async () => {
    await database.destroy();
  });

  const check = (userId: string, roleIds: string[], permission: "ban" | "lookup", guildId = GUILD) =>
    hasGrant(database.handle.db, { guildId, permission, userId, roleIds });

  it("allows through a granted role", async () => {
    expect(await check(ALICE, [MOD_ROLE], "ban")).toBe(true);
  });

  it("allows through a grant to the user", async () => {
    expect(await check(BOB, [], "lookup")).toBe(true);
  });

  it("denies by default: other permission, other role, other guild", async () => {
    expect(await check(ALICE, [MOD_ROLE], "lookup")).toBe(false);
    expect(await check(BOB, [], "ban")).toBe(false);
    expect(await check(ALICE, ["523456789012345678"], "ban")).toBe(false);
    expect(await check(ALICE, [MOD_ROLE], "ban", "623456789012345678")).toBe(false);
  });

  it("does not confuse a user id with a role id", async () => {
    expect(await check(MOD_ROLE, [], "ban")).toBe(false);
    expect(await check(ALICE, [BOB], "lookup")).toBe(false);
  });

  it("grants idempotently", async () => {
    const again = await grantPermission(database.handle.db, {
      guildId: GUILD,
      subject: { type: "role", id: MOD_ROLE },
      permission: "ban",
      grantedBy: BOB,
    });
    expect(again).toBe(false);
  });
});
