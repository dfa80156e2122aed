import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKeyCipher } from "../../src/db/apiKeyCipher.js";
import { storeApiKey } from "../../src/db/apiKeys.js";
import { keyLabel, upsertLink } from "../../src/db/links.js";
import { createOpenCloud } from "../../src/opencloud/index.js";
import { listActiveBans, REASON_PREVIEW } from "../../src/services/moderation/activeBans.js";
import { startOpenCloudEmulator, type OpenCloudEmulator } from "../emulators/opencloud/index.js";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.js";

const GUILD = "123456789012345678";
const ADMIN = "323456789012345678";
const UNIVERSE = "8201";
const KEY = `list-key-${"q".repeat(60)}`;

describe("the /bans list kept between pages", () => {
  let database: TestDatabase;
  let roblox: OpenCloudEmulator;
  const cipher = createApiKeyCipher(randomBytes(32));
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    roblox = await startOpenCloudEmulator({ timeScale: 60 });
    roblox.addUser({ id: "95", name: "ListOwner" });
    roblox.addUniverse({ id: UNIVERSE, displayName: "Listed Game", placeIds: ["8202"] });
    roblox.addApiKey({ key: KEY, ownerId: "95", scopes: [{ name: "universe.user-restriction", operations: ["read", "write"], universeIds: [UNIVERSE] }] });
    roblox.addUser({ id: "501", name: "wordy" });
    // 79 letters, then an emoji of two UTF-16 units at the cut, then far more than a page shows, over several lines.
    const reason = `${"a".repeat(REASON_PREVIEW - 1)}🙂 and\nmuch\n\nmore ${"z".repeat(800)}`;
    roblox.banFromCreatorHub({ universeId: UNIVERSE, userId: "501", moderatorId: "95", privateReason: reason, displayReason: "x".repeat(300) });
    const stored = await storeApiKey(database.handle.db, cipher, { guildId: GUILD, label: keyLabel("universe", UNIVERSE), apiKey: KEY, createdBy: ADMIN });
    await upsertLink(database.handle.db, { guildId: GUILD, kind: "universe", robloxId: UNIVERSE, displayName: "Listed Game", apiKeyId: stored.id, createdBy: ADMIN });
  });
  afterAll(async () => {
    await roblox?.close();
    await database?.destroy();
  });

  it("keeps what a page shows: id, name, end, and the reason already cut to its preview, never whole reasons", async () => {
    const openCloud = createOpenCloud({ openCloudUrl: roblox.openCloudUrl, usersUrl: roblox.usersUrl, thumbnailsUrl: roblox.thumbnailsUrl, timeScale: 60 });
    const list = await listActiveBans({ db: database.handle.db, openCloud, cipher }, GUILD, undefined, undefined);
    expect(list.bans).toHaveLength(1);
    const [ban] = list.bans;
    expect(Object.keys(ban ?? {}).sort()).toEqual(["endTime", "reasonPreview", "userId", "username"]);
    expect(ban?.reasonPreview).toBe(`${"a".repeat(REASON_PREVIEW - 1)}🙂`);
    expect(JSON.stringify(list)).not.toContain("zzz");
    expect(JSON.stringify(list)).not.toContain("xxx");
  });
});
