import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKeyCipher } from "../../src/db/apiKeyCipher.js";
import { appendCaseNote, createCase, summarizeCaseNotes, type NotesSummary } from "../../src/db/cases.js";
import { createOpenCloud } from "../../src/opencloud/index.js";
import { addCaseNote } from "../../src/services/caseRecords.js";
import type { ModerationDeps } from "../../src/services/moderation/restrictions.js";
import { PlayerProfiles } from "../../src/services/playerProfiles.js";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.js";

const GUILD = "123456789012345679";
const ALICE = "323456789012345671";
const BOB = "323456789012345672";

describe("a note and the mod-log message that shows it", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it("shows the latest note even when another moderator's note lands between the read and the edit", async () => {
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
    // The mod log as this test sees it: what each edit showed, in the order the edits landed.
    const shown: (NotesSummary | undefined)[] = [];
    let interleaved = false;
    // Never called: a note reaches neither Roblox nor a key.
    const openCloud = createOpenCloud({ openCloudUrl: "http://127.0.0.1:9", usersUrl: "http://127.0.0.1:9", thumbnailsUrl: "http://127.0.0.1:9" });
    const deps = {
      db,
      openCloud,
      profiles: new PlayerProfiles(openCloud),
      cipher: createApiKeyCipher(randomBytes(32)),
      logger: { warn: () => undefined, error: () => undefined },
      processId: "notes-test",
      notices: { postSetupNotice: () => Promise.resolve() },
      publisher: {
        async publishCase(_row, notes) {
          if (!interleaved) {
            // Bob's note is written, and his edit lands, while Alice's edit is still on its way.
            interleaved = true;
            await appendCaseNote(db, { guildId: GUILD, number: row.number, authorDiscordId: BOB, body: "bob's later note" });
            shown.push(await summarizeCaseNotes(db, row.id));
          }
          shown.push(notes);
          return { posted: true, messageId: "423456789012345678" };
        },
      },
    } satisfies ModerationDeps;

    await addCaseNote(deps, { guildId: GUILD, number: row.number, text: "alice's note", actorId: ALICE });
    await openCloud.close();

    const last = shown.at(-1);
    expect(last?.count).toBe(2);
    expect(last?.latest.body).toBe("bob's later note");
  });
});
