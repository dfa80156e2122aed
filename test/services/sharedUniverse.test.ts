import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKeyCipher } from "../../src/db/apiKeyCipher.js";
import { setGuard } from "../../src/db/moderatorPauses.js";
import { createOpenCloud, type OpenCloud } from "../../src/opencloud/index.js";
import { applyChange, prepareBan, type ModerationDeps } from "../../src/services/moderation/restrictions.js";
import { PlayerProfiles } from "../../src/services/playerProfiles.js";
import { linkWithApiKey } from "../../src/services/setup.js";
import { type OpenCloudEmulator, startOpenCloudEmulator } from "../emulators/opencloud/index.js";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.js";

const UNIVERSE = "4100";
const GUILD_A = "123456789012345678";
const GUILD_B = "223456789012345678";
const MODERATOR = "323456789012345678";
const scopes = [{ name: "universe.user-restriction", operations: ["read", "write"], universeIds: [UNIVERSE] }];

/**
 * One universe linked in two guilds, each with its own key (and key owner):
 * every ban either guild makes waits on the universe's one update budget
 * (10/s). Guild A queues fifty bans, then guild B one. The guild is the
 * tenant its calls are planned for, so B's ban takes the next turn instead
 * of waiting behind A's fifty.
 */
describe("two guilds moderating one universe", () => {
  let database: TestDatabase;
  let roblox: OpenCloudEmulator;
  let openCloud: OpenCloud;
  let deps: ModerationDeps;

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    roblox = await startOpenCloudEmulator({ timeScale: 10, enforceRateLimits: true, seed: 13 });
    roblox.addUser({ id: "41", name: "OwnerA" });
    roblox.addUser({ id: "42", name: "OwnerB" });
    roblox.addUniverse({ id: UNIVERSE, displayName: "Shared Place", placeIds: ["4101"], ownerUserId: "41" });
    roblox.addApiKey({ key: `key-a-${"a".repeat(40)}`, ownerId: "41", scopes });
    roblox.addApiKey({ key: `key-b-${"b".repeat(40)}`, ownerId: "42", scopes });
    openCloud = createOpenCloud({
      openCloudUrl: roblox.openCloudUrl,
      usersUrl: roblox.usersUrl,
      thumbnailsUrl: roblox.thumbnailsUrl,
      timeScale: 10,
      backoffBaseMs: 2,
    });
    deps = {
      db: database.handle.db,
      processId: "shared-universe-test",
      openCloud,
      profiles: new PlayerProfiles(openCloud),
      cipher: createApiKeyCipher(randomBytes(32)),
      notices: { postSetupNotice: () => Promise.resolve() },
      publisher: { publishCase: () => Promise.resolve({ posted: false, problem: "no mod log in this test" }) },
      logger: { warn: () => undefined, error: () => undefined },
    };
    for (const [guildId, apiKey] of [
      [GUILD_A, `key-a-${"a".repeat(40)}`],
      [GUILD_B, `key-b-${"b".repeat(40)}`],
    ] as const) {
      await linkWithApiKey(deps, { guildId, actorId: MODERATOR, kind: "universe", robloxId: UNIVERSE, name: undefined, apiKey });
      // Fifty bans at once by one moderator: what the guard against rogue moderators is there to pause.
      await setGuard(deps.db, guildId, 0, 60);
    }
  });
  afterAll(async () => {
    await openCloud?.close();
    await roblox?.close();
    await database?.destroy();
  });

  it("serves the guild with one ban in its turn while the other has fifty queued", async () => {
    const crowd = Array.from({ length: 50 }, (_, i) => String(5_000 + i));
    for (const id of [...crowd, "6000"]) roblox.addUser({ id, name: `Player${id}` });
    // Both guilds' bans are checked first, so that applying them is all that is left: A's fifty
    // start, and B's one right after.
    const crowdBans = await Promise.all(crowd.map((player) => prepareBanFor(GUILD_A, player)));
    const single = await prepareBanFor(GUILD_B, "6000");
    const results = crowdBans.map((change) => applyChange(deps, change));
    await new Promise((resolve) => setImmediate(resolve));
    results.push(applyChange(deps, single));
    expect((await Promise.all(results)).map((result) => result.failure)).toEqual(results.map(() => undefined));

    const patched = roblox.calls.filter((call) => call.method === "PATCH").map((call) => call.path.split("/").pop());
    expect(patched).toHaveLength(51);
    // A's fifty need five windows of the universe's budget. B's ban joins the queue while most of
    // them still wait, and goes out in the next turn: many of A's follow it. First come, first
    // served would send it only once every one of A's queued bans had gone.
    expect(patched.length - 1 - patched.indexOf("6000")).toBeGreaterThanOrEqual(10);
    expect(roblox.calls.filter((call) => call.status === 429)).toEqual([]);
  });

  const prepareBanFor = (guildId: string, player: string) =>
    prepareBan(deps, {
      guildId,
      moderatorId: MODERATOR,
      player,
      experience: undefined,
      placeId: undefined,
      duration: "1d",
      privateReason: "raid",
      publicReason: undefined,
      excludeAltAccounts: false,
      evidenceAttachmentId: undefined,
    });
});
