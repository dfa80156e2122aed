import { createHash, randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCase } from "../../src/db/cases.js";
import {
  addEvidence,
  attachWaitingEvidence,
  findWaitingEvidence,
  keepWaitingEvidence,
  listEvidence,
  readEvidence,
  type NewEvidence,
} from "../../src/db/evidence.js";
import { evidence } from "../../src/db/schema.js";
import { createApiKeyCipher } from "../../src/db/apiKeyCipher.js";
import { createOpenCloud } from "../../src/opencloud/index.js";
import { addCaseEvidence } from "../../src/services/caseRecords.js";
import type { ModerationDeps } from "../../src/services/moderation/restrictions.js";
import { PlayerProfiles } from "../../src/services/playerProfiles.js";
import type { ShownEvidence } from "../../src/services/ports.js";
import { SAMPLES } from "../support/evidenceSamples.js";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.js";

const GUILD = "123456789012345677";
const OTHER_GUILD = "223456789012345677";
const ALICE = "323456789012345677";
const BOB = "323456789012345688";

let nextAttachment = 10n ** 18n;
/** A file as checked, of `bytes` (every byte value, so bytea must keep them all). */
const file = (bytes: Buffer, addedBy = ALICE, guildId = GUILD): NewEvidence => ({
  guildId,
  sourceAttachmentId: String((nextAttachment += 1n)),
  fileName: "proof.png",
  contentType: "image/png",
  sha256: createHash("sha256").update(bytes).digest("hex"),
  bytes,
  addedByDiscordId: addedBy,
});

describe.each(["postgres", "pglite"] as const)("evidence on %s", (kind) => {
  let database: TestDatabase;
  let player = 700;
  const newCase = () =>
    createCase(database.handle.db, {
      guildId: GUILD,
      action: "ban",
      robloxUserId: String((player += 1)),
      universeId: "8301",
      privateReason: "griefing",
      status: "applied",
      moderatorDiscordId: ALICE,
    });
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it("keeps a file's bytes exactly, with its size and hash, and lists it without them", async () => {
    const db = database.handle.db;
    const row = await newCase();
    const content = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(100_000)]);
    const added = await addEvidence(db, row.number, file(content), { maxFiles: 10, maxTotalBytes: 1_000_000 });
    expect(added).toMatchObject({ added: true, file: { size: content.length, sha256: file(content).sha256, caseId: row.id } });
    const [read] = await readEvidence(db, row.id);
    expect(Buffer.isBuffer(read?.bytes)).toBe(true);
    expect(read?.bytes.equals(content)).toBe(true);
    expect(await listEvidence(db, row.id)).toEqual([expect.not.objectContaining({ bytes: expect.anything() })]);
  });

  it("refuses a file past the case's count or size, and a case of another guild, adding nothing", async () => {
    const db = database.handle.db;
    const row = await newCase();
    const limits = { maxFiles: 2, maxTotalBytes: 100 };
    expect((await addEvidence(db, row.number, file(Buffer.alloc(60, 1)), limits)).added).toBe(true);
    expect(await addEvidence(db, row.number, file(Buffer.alloc(41, 2)), limits)).toEqual({ added: false, reason: "too many", files: 1, totalBytes: 60 });
    expect((await addEvidence(db, row.number, file(Buffer.alloc(40, 3)), limits)).added).toBe(true);
    expect(await addEvidence(db, row.number, file(Buffer.alloc(1, 4)), limits)).toMatchObject({ added: false, reason: "too many", files: 2 });
    expect(await addEvidence(db, row.number, file(Buffer.alloc(1, 5), ALICE, OTHER_GUILD), limits)).toEqual({ added: false, reason: "no case" });
    expect((await listEvidence(db, row.id)).map((kept) => kept.size)).toEqual([60, 40]);
  });

  it("counts files added at once one after the other, so the cap holds", async () => {
    const db = database.handle.db;
    const row = await newCase();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => addEvidence(db, row.number, file(Buffer.alloc(10, i + 1)), { maxFiles: 3, maxTotalBytes: 1_000 })),
    );
    expect(results.filter((result) => result.added)).toHaveLength(3);
    expect(await listEvidence(db, row.id)).toHaveLength(3);
  });

  it("holds a /ban's file for its moderator until one case takes it", async () => {
    const db = database.handle.db;
    const held = file(Buffer.from("log line\n"));
    const id = await keepWaitingEvidence(db, held);
    const waiting = { guildId: GUILD, addedByDiscordId: ALICE, sourceAttachmentId: held.sourceAttachmentId };
    expect(await findWaitingEvidence(db, waiting)).toBe(id);
    expect(await findWaitingEvidence(db, { ...waiting, addedByDiscordId: BOB })).toBeUndefined();
    expect(await findWaitingEvidence(db, { ...waiting, guildId: OTHER_GUILD })).toBeUndefined();

    const [first, second] = [await newCase(), await newCase()];
    expect(await attachWaitingEvidence(db, id, first.id)).toBe(true);
    expect(await attachWaitingEvidence(db, id, second.id)).toBe(false);
    expect(await findWaitingEvidence(db, waiting)).toBeUndefined();
    expect((await listEvidence(db, first.id)).map((kept) => kept.id)).toEqual([id]);
  });

  it("drops held files no /ban can still be waiting for, at the next hold", async () => {
    const db = database.handle.db;
    const stale = file(Buffer.from("old"));
    const staleId = await keepWaitingEvidence(db, stale);
    await db.update(evidence).set({ createdAt: sql`now() - interval '16 minutes'` }).where(eq(evidence.id, staleId));
    const fresh = file(Buffer.from("new"));
    await keepWaitingEvidence(db, fresh);
    expect(await findWaitingEvidence(db, { guildId: GUILD, addedByDiscordId: ALICE, sourceAttachmentId: stale.sourceAttachmentId })).toBeUndefined();
    expect(await findWaitingEvidence(db, { guildId: GUILD, addedByDiscordId: ALICE, sourceAttachmentId: fresh.sourceAttachmentId })).toBeDefined();
  });

  it("refuses, in the database itself, a size that is not the bytes' or past the limit", async () => {
    const db = database.handle.db;
    const row = await newCase();
    const content = Buffer.from("abc");
    await expect(db.insert(evidence).values({ ...file(content), caseId: row.id, size: 4 })).rejects.toThrow();
    const huge = Buffer.alloc(8 * 1024 * 1024 + 1, 7);
    await expect(db.insert(evidence).values({ ...file(huge), caseId: row.id, size: huge.length })).rejects.toThrow();
    expect(await listEvidence(db, row.id)).toEqual([]);
  });
});

describe("evidence and the mod-log message that shows it", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it("shows every file even when another moderator's file lands between the read and the edit", async () => {
    const db = database.handle.db;
    const row = await createCase(db, {
      guildId: GUILD,
      action: "ban",
      robloxUserId: "601",
      universeId: "8301",
      privateReason: "griefing",
      status: "applied",
      moderatorDiscordId: ALICE,
      modLogMessageId: "423456789012345678",
    });
    const shown: ShownEvidence[] = [];
    let interleaved = false;
    // Never called: evidence reaches neither Roblox nor a key.
    const openCloud = createOpenCloud({ openCloudUrl: "http://127.0.0.1:9", usersUrl: "http://127.0.0.1:9", thumbnailsUrl: "http://127.0.0.1:9" });
    const deps = {
      db,
      openCloud,
      profiles: new PlayerProfiles(openCloud),
      cipher: createApiKeyCipher(randomBytes(32)),
      logger: { warn: () => undefined, error: () => undefined },
      processId: "evidence-test",
      notices: { postSetupNotice: () => Promise.resolve() },
      publisher: {
        async publishCase(_row, _notes, evidence) {
          if (!interleaved) {
            // Bob's screenshot is kept, and his edit lands, while Alice's edit is still on its way.
            interleaved = true;
            await addEvidence(db, row.number, { ...file(SAMPLES.png, BOB), fileName: "bob.png" }, { maxFiles: 10, maxTotalBytes: 1_000_000 });
          }
          shown.push(evidence);
          return { posted: true, messageId: "423456789012345678" };
        },
      },
    } satisfies ModerationDeps;

    const upload = { attachmentId: "523456789012345678", fileName: "alice.txt", bytes: Buffer.from("chat log\n") };
    await addCaseEvidence(deps, { guildId: GUILD, number: row.number, upload, actorId: ALICE });
    await openCloud.close();

    const last = shown.at(-1);
    expect(last?.files.map((kept) => kept.fileName)).toEqual(["alice.txt", "bob.png"]);
    expect(last?.image?.file.fileName).toBe("bob.png");
    expect(last?.image?.bytes).toEqual(SAMPLES.png);
  });
});
