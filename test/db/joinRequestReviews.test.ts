import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKeyCipher } from "../../src/db/apiKeyCipher.js";
import { storeApiKey } from "../../src/db/apiKeys.js";
import { createCase } from "../../src/db/cases.js";
import { claimReview, latestReview, recordNewRequests, releaseOrphanedClaims } from "../../src/db/joinRequestReviews.js";
import { keyLabel, upsertLink } from "../../src/db/links.js";
import { joinRequestReviews } from "../../src/db/schema.js";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.js";

const GUILD = "123456789012345678";
const GROUP = "7";
const REVIEWER = "323456789012345678";

describe.each(["postgres", "pglite"] as const)("join-request claims on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    // Reviews belong to a linked group.
    const key = await storeApiKey(database.handle.db, createApiKeyCipher(randomBytes(32)), {
      guildId: GUILD,
      label: keyLabel("group", GROUP),
      apiKey: "group-key",
      createdBy: REVIEWER,
    });
    await upsertLink(database.handle.db, { guildId: GUILD, kind: "group", robloxId: GROUP, displayName: "Group", apiKeyId: key.id, createdBy: REVIEWER });
  });
  afterAll(async () => {
    await database.destroy();
  });

  it("gives back only the claims a dead process left without a decision on record", async () => {
    const db = database.handle.db;
    await recordNewRequests(db, GUILD, GROUP, ["11", "12", "13"].map((userId) => ({ userId, requestedAt: new Date() })));
    for (const userId of ["11", "12", "13"]) {
      expect(await claimReview(db, { guildId: GUILD, groupId: GROUP, userId, claimedBy: REVIEWER })).toBeDefined();
    }
    // 11 and 12 were claimed two minutes ago; 13 just now, by a process still at work.
    await db
      .update(joinRequestReviews)
      .set({ claimedAt: sql`now() - interval '2 minutes'` })
      .where(sql`${joinRequestReviews.robloxUserId} IN ('11', '12')`);
    // 12's decision is on record: finishing it is the resumption's job, not a release.
    await createCase(db, { guildId: GUILD, action: "join_accept", robloxUserId: "12", groupId: GROUP, moderatorDiscordId: REVIEWER });

    expect(await releaseOrphanedClaims(db)).toBe(1);
    const states = await Promise.all(["11", "12", "13"].map(async (userId) => (await latestReview(db, GUILD, GROUP, userId))?.state));
    expect(states).toEqual(["pending", "claimed", "claimed"]);
    expect(await claimReview(db, { guildId: GUILD, groupId: GROUP, userId: "11", claimedBy: REVIEWER })).toBeDefined();
  });
});
