import { describe, expect, it } from "vitest";
import type { CaseRow } from "../../src/db/cases.js";
import { buildCaseEmbed } from "../../src/discord/caseEmbed.js";

const row: CaseRow = {
  id: 1,
  guildId: "1",
  number: 7,
  action: "unban",
  robloxUserId: "156",
  robloxUsername: "builderman",
  universeId: null,
  placeId: null,
  groupId: null,
  fromRoleId: null,
  fromRoleName: null,
  toRoleId: null,
  toRoleName: null,
  durationSeconds: null,
  expiresAt: null,
  privateReason: null,
  publicReason: null,
  excludeAltAccounts: false,
  moderatorDiscordId: null,
  robloxModeratorId: null,
  source: "discord",
  status: "applied",
  error: null,
  idempotencyKey: null,
  modLogMessageId: null,
  ownerProcess: null,
  bulkRunId: null,
  expiryAnnouncedAt: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
};

const reasonField = (privateReason: string) =>
  buildCaseEmbed({ ...row, privateReason }, { experienceName: undefined, avatarUrl: undefined }).toJSON().fields?.find((f) => f.name === "Reason")?.value;

describe("case embed", () => {
  it("cuts a long emoji reason between characters, within the field's 1,024", () => {
    const value = reasonField(`a${"😀".repeat(999)}`) ?? "";
    expect(value).toBe(`a${"😀".repeat(511)}`);
  });
});
