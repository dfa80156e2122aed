import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKeyCipher } from "../../src/db/apiKeyCipher.js";
import { storeApiKey } from "../../src/db/apiKeys.js";
import { getLink, keyLabel, listGroupLinksToRead, upsertLink, type LinkKind } from "../../src/db/links.js";
import { createOpenCloud } from "../../src/opencloud/index.js";
import { openLinked, openLinkedById } from "../../src/services/moderation/linkedExperience.js";
import { checkLinkName, unlink } from "../../src/services/setup.js";
import { UserError } from "../../src/services/userError.js";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.js";

const GUILD = "123456789012345678";
const OTHER_GUILD = "223456789012345678";
const ADMIN = "323456789012345678";

describe.each(["postgres", "pglite"] as const)("finding a guild's links on %s", (kind) => {
  let database: TestDatabase;
  const cipher = createApiKeyCipher(randomBytes(32));
  // Never called: opening a link only seals its key into a client.
  const openCloud = createOpenCloud({ openCloudUrl: "http://127.0.0.1:9", usersUrl: "http://127.0.0.1:9", thumbnailsUrl: "http://127.0.0.1:9" });
  const deps = () => ({ db: database.handle.db, openCloud, cipher });

  /** Stored as it is, as a link saved before names were checked would be. */
  async function link(guildId: string, linkKind: LinkKind, robloxId: string, displayName: string) {
    const db = database.handle.db;
    const key = await storeApiKey(db, cipher, { guildId, label: keyLabel(linkKind, robloxId), apiKey: `key-${robloxId}`, createdBy: ADMIN });
    await upsertLink(db, { guildId, kind: linkKind, robloxId, displayName, apiKeyId: key.id, createdBy: ADMIN });
  }

  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => "accepted",
      (error: unknown) => (error instanceof UserError ? error.message : `unexpected: ${String(error)}`),
    );

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    // Sorted by name, "8001" comes before "Big Game": the first match by name or id would be the impostor.
    await link(GUILD, "universe", "8001", "Big Game");
    await link(GUILD, "universe", "9001", "8001");
    await link(GUILD, "universe", "9101", "Twin");
    await link(GUILD, "universe", "9102", "twin");
    await link(GUILD, "group", "7", "Cafe Fans");
    await link(GUILD, "group", "70", "7");
    await link(OTHER_GUILD, "universe", "5555", "Elsewhere");
  });
  afterAll(async () => {
    await database.destroy();
  });

  it("takes an exact id over a link named like it", async () => {
    expect((await openLinked(deps(), GUILD, "universe", "8001")).robloxId).toBe("8001");
    expect((await openLinked(deps(), GUILD, "group", "7")).robloxId).toBe("7");
  });

  it("takes a name, in any case, that exactly one link of the kind has", async () => {
    expect((await openLinked(deps(), GUILD, "universe", " big game ")).robloxId).toBe("8001");
    expect((await openLinked(deps(), GUILD, "group", "CAFE FANS")).robloxId).toBe("7");
  });

  it("asks for the id when several links share the name, listing theirs", async () => {
    const message = await refusal(openLinked(deps(), GUILD, "universe", "TWIN"));
    expect(message).toContain("Several linked experiences are named");
    expect(message).toContain("`9101`");
    expect(message).toContain("`9102`");
    expect(message).toContain("by its id");
  });

  it("finds nothing of another guild, by id or by name", async () => {
    expect(await refusal(openLinked(deps(), GUILD, "universe", "5555"))).toContain("is not an experience linked to this server");
    expect(await refusal(openLinked(deps(), GUILD, "universe", "Elsewhere"))).toContain("is not an experience linked to this server");
    expect(await refusal(openLinkedById(deps(), GUILD, "universe", "5555"))).toContain("not linked to this server");
  });

  it("opens by id only for callers that hold an id: a name never answers", async () => {
    expect((await openLinkedById(deps(), GUILD, "group", "7")).robloxId).toBe("7");
    expect(await refusal(openLinkedById(deps(), GUILD, "universe", "Big Game"))).toContain("not linked to this server");
    expect(await getLink(database.handle.db, GUILD, "universe", "Big Game")).toBeUndefined();
    expect((await getLink(database.handle.db, GUILD, "universe", "8001"))?.displayName).toBe("Big Game");
  });

  it("refuses a name that is another link's id or name, of any kind, or reads as an id", async () => {
    const check = (linkKind: LinkKind, robloxId: string, name: string) => refusal(checkLinkName(database.handle.db, GUILD, linkKind, robloxId, name));
    expect(await check("universe", "4242", "9101")).toContain("`9101` is the id of the linked experience **Twin**");
    expect(await check("universe", "4242", "70")).toContain("`70` is the id of the linked group **7**");
    expect(await check("universe", "4242", "cafe fans")).toContain("The linked group `7` is already named **Cafe Fans**");
    expect(await check("group", "4242", "BIG GAME")).toContain("The linked experience `8001` is already named **Big Game**");
    expect(await check("universe", "4242", "123")).toContain("digits only");
    expect(await check("universe", "4242", "New Game")).toBe("accepted");
    // Its own id, its own name again (a link set up anew), and another guild's names are all fine.
    expect(await check("universe", "4242", "4242")).toBe("accepted");
    expect(await check("universe", "8001", "big game")).toBe("accepted");
    expect(await check("universe", "4242", "Elsewhere")).toBe("accepted");
  });

  it("removes by id before name, and asks when a name is shared", async () => {
    expect(await refusal(unlink(database.handle.db, GUILD, "universe", "twin"))).toContain("`9101`");
    expect(await refusal(unlink(database.handle.db, GUILD, "universe", "  "))).toContain("Name the experience to remove");
    expect((await unlink(database.handle.db, GUILD, "universe", "8001")).displayName).toBe("Big Game");
    expect(await getLink(database.handle.db, GUILD, "universe", "8001")).toBeUndefined();
    expect(await getLink(database.handle.db, GUILD, "universe", "9001")).toBeDefined();
  });

  it("lists every group link for the join-request reads, with its key's owner, and whether the process's shards hold its guild", async () => {
    const db = database.handle.db;
    const key = await storeApiKey(db, cipher, { guildId: OTHER_GUILD, label: keyLabel("group", "71"), apiKey: "key-71", ownerId: "4242", createdBy: ADMIN });
    await upsertLink(db, { guildId: OTHER_GUILD, kind: "group", robloxId: "71", displayName: "Other Fans", apiKeyId: key.id, createdBy: ADMIN });
    const shardOf = (guildId: string) => Number((BigInt(guildId) >> 22n) % 4n);
    expect(shardOf(GUILD)).not.toBe(shardOf(OTHER_GUILD));
    const listed = async (ids: number[]) =>
      (await listGroupLinksToRead(db, { count: 4, ids })).map(({ guildId, groupId, ownerId, mine }) => ({ guildId, groupId, ownerId, mine }));
    expect(await listed([shardOf(OTHER_GUILD)])).toEqual([
      { guildId: GUILD, groupId: "7", ownerId: null, mine: false },
      { guildId: GUILD, groupId: "70", ownerId: null, mine: false },
      { guildId: OTHER_GUILD, groupId: "71", ownerId: "4242", mine: true },
    ]);
    expect((await listed([shardOf(GUILD), shardOf(OTHER_GUILD)])).every((link) => link.mine)).toBe(true);
    expect((await listGroupLinksToRead(db, { count: 4, ids: [0, 1, 2, 3] }))[0]?.fingerprint).toMatch(/^sha256:[0-9a-f]{12}$/);
  });
});
