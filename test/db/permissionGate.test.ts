import { PermissionFlagsBits } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grantPermission, listGrants, revokePermission } from "../../src/db/staffGrants.js";
import { mayAct, type Asker } from "../../src/discord/permissionGate.js";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.js";

const GUILD = "123456789012345678";
const MOD_ROLE = "223456789012345678";
const OWNER = "323456789012345678";
const member = (permissions: bigint, roleIds: string[] = []): Asker => ({
  guildId: GUILD,
  userId: "423456789012345678",
  roleIds,
  permissions,
});

describe("permission gate", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
  });
  afterAll(async () => {
    await database.destroy();
  });

  it("lets Administrator and Manage Server do everything without a grant", async () => {
    const db = database.handle.db;
    expect(await mayAct(db, member(PermissionFlagsBits.Administrator), "configure")).toBe(true);
    expect(await mayAct(db, member(PermissionFlagsBits.ManageGuild), "ban")).toBe(true);
  });

  it("denies by default, even with Discord's own moderation permissions", async () => {
    const db = database.handle.db;
    const discordMod = PermissionFlagsBits.BanMembers | PermissionFlagsBits.KickMembers | PermissionFlagsBits.ModerateMembers;
    expect(await mayAct(db, member(discordMod, [MOD_ROLE]), "ban")).toBe(false);
  });

  it("follows grants as they are given and taken back", async () => {
    const db = database.handle.db;
    const asker = member(PermissionFlagsBits.SendMessages, [MOD_ROLE]);
    const grant = { guildId: GUILD, subject: { type: "role" as const, id: MOD_ROLE }, permission: "ban" as const };

    await grantPermission(db, { ...grant, grantedBy: OWNER });
    expect(await mayAct(db, asker, "ban")).toBe(true);
    expect(await mayAct(db, asker, "unban")).toBe(false);
    expect(await listGrants(db, GUILD)).toEqual([
      expect.objectContaining({ subjectType: "role", subjectId: MOD_ROLE, permission: "ban", grantedBy: OWNER }),
    ]);

    expect(await revokePermission(db, grant)).toBe(true);
    expect(await revokePermission(db, grant)).toBe(false);
    expect(await mayAct(db, asker, "ban")).toBe(false);
  });

  it("follows a grant to the member themself, and only in its guild, for its permission, to its kind of subject", async () => {
    const db = database.handle.db;
    const asker = member(PermissionFlagsBits.SendMessages);
    await grantPermission(db, { guildId: GUILD, subject: { type: "user", id: asker.userId }, permission: "lookup", grantedBy: OWNER });
    // A role whose id is the member's own id is not the member.
    await grantPermission(db, { guildId: GUILD, subject: { type: "role", id: OWNER }, permission: "rank", grantedBy: OWNER });

    expect(await mayAct(db, asker, "lookup")).toBe(true);
    expect(await mayAct(db, { ...asker, guildId: "523456789012345678" }, "lookup")).toBe(false);
    expect(await mayAct(db, asker, "ban")).toBe(false);
    expect(await mayAct(db, { ...asker, userId: OWNER }, "rank")).toBe(false);
    expect(await mayAct(db, { ...asker, roleIds: ["623456789012345678", OWNER] }, "rank")).toBe(true);
  });
});
