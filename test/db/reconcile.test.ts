import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKeyCipher } from "../../src/db/apiKeyCipher.js";
import { storeApiKey } from "../../src/db/apiKeys.js";
import { createCase, findCase, takeOverAbandonedCases } from "../../src/db/cases.js";
import { keyLabel, upsertLink } from "../../src/db/links.js";
import { createOpenCloud } from "../../src/opencloud/index.js";
import type { CaseRow } from "../../src/db/cases.js";
import { reconcilePendingCases } from "../../src/services/moderation/reconcile.js";
import { PlayerProfiles } from "../../src/services/playerProfiles.js";
import { startOpenCloudEmulator, type OpenCloudEmulator } from "../emulators/opencloud/index.js";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.js";

const GUILD = "123456789012345678";
const ADMIN = "323456789012345678";
const GAME = "8301";
const IMPOSTOR = "8302";
const PLAYER = "601";
const key = (universeId: string) => `reconcile-key-${universeId}-${"r".repeat(50)}`;

describe("reconciling a pending case at start", () => {
  let database: TestDatabase;
  let roblox: OpenCloudEmulator;
  const cipher = createApiKeyCipher(randomBytes(32));
  const published: CaseRow[] = [];

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    roblox = await startOpenCloudEmulator({ timeScale: 60 });
    roblox.addUser({ id: "95", name: "ReconcileOwner" });
    roblox.addUser({ id: PLAYER, name: "interrupted" });
    for (const [universeId, name] of [
      [GAME, "Big Game"],
      // Named like the other's id, as a link saved before names were checked could be.
      [IMPOSTOR, GAME],
    ] as const) {
      roblox.addUniverse({ id: universeId, displayName: name, placeIds: [`${universeId}0`] });
      roblox.addApiKey({
        key: key(universeId),
        ownerId: "95",
        scopes: [{ name: "universe.user-restriction", operations: ["read", "write"], universeIds: [universeId] }],
      });
      const stored = await storeApiKey(database.handle.db, cipher, {
        guildId: GUILD,
        label: keyLabel("universe", universeId),
        apiKey: key(universeId),
        createdBy: ADMIN,
      });
      await upsertLink(database.handle.db, { guildId: GUILD, kind: "universe", robloxId: universeId, displayName: name, apiKeyId: stored.id, createdBy: ADMIN });
    }
  });
  afterAll(async () => {
    await roblox?.close();
    await database?.destroy();
  });

  it("settles it in the experience whose id the case holds, never one named like it", async () => {
    const pending = await createCase(database.handle.db, {
      guildId: GUILD,
      action: "ban",
      robloxUserId: PLAYER,
      universeId: GAME,
      durationSeconds: 3600,
      privateReason: "interrupted ban",
      moderatorDiscordId: ADMIN,
      idempotencyKey: `reconcile-${randomBytes(8).toString("hex")}`,
    });
    const openCloud = createOpenCloud({ openCloudUrl: roblox.openCloudUrl, usersUrl: roblox.usersUrl, thumbnailsUrl: roblox.thumbnailsUrl, timeScale: 60 });
    const taken = await takeOverAbandonedCases(database.handle.db, "reconciling-process", 20);
    expect(taken.map((row) => row.id)).toEqual([pending.id]);
    const report = await reconcilePendingCases({
      db: database.handle.db,
      processId: "reconciling-process",
      openCloud,
      profiles: new PlayerProfiles(openCloud),
      cipher,
      notices: { postSetupNotice: () => Promise.resolve() },
      publisher: {
        async publishCase(row) {
          published.push(row);
          return { posted: false, problem: "no mod log in this test" };
        },
      },
      logger: { warn: () => undefined, error: () => undefined },
    }, taken);
    expect(report).toEqual({ confirmed: 0, resumed: 1, failed: 0 });
    expect((await findCase(database.handle.db, GUILD, pending.number))?.status).toBe("applied");
    expect(published.map((row) => row.status)).toEqual(["applied"]);
    expect(roblox.restriction(GAME, PLAYER)?.active).toBe(true);
    expect(roblox.restriction(IMPOSTOR, PLAYER)).toBeUndefined();
    expect(roblox.calls.every((call) => call.path.startsWith(`/cloud/v2/universes/${GAME}/`))).toBe(true);
  });
});
