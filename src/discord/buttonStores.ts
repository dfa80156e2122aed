import { z } from "zod";
import type { Database } from "../db/connection.js";
import type { ActiveBans } from "../services/moderation/activeBans.js";
import type { BanRequest } from "../services/moderation/restrictions.js";
import { bulkRunPlayer, bulkRunSkipped } from "../db/bulkRuns.js";
import type { BulkRunPreview } from "../services/massModeration/previewBulkRun.js";
import type { BotContext, BulkDecision, PendingBan } from "./botContext.js";
import type { CommandRequest } from "./commandRequest.js";
import type { PlayerChoice } from "./playerChoice.js";
import { TokenStore } from "./tokenStore.js";

/** Long enough to read a confirmation, short enough that a stale button can't act by surprise. */
const CONFIRMATION_TTL_MS = 2 * 60_000;
/** Discord lets an interaction's buttons be answered for 15 minutes; a list is not kept longer. */
const BAN_LIST_TTL_MS = 15 * 60_000;
/** A mass preview takes reading (hundreds of names); still well inside the preview message's 15 minutes. */
const MASS_PREVIEW_TTL_MS = 10 * 60_000;

export type ButtonStores = Pick<BotContext, "banConfirmations" | "playerChoices" | "banLists" | "bulkDecisions" | "bulkRunPreviews">;

/** The stores behind Warden's buttons, each reading back exactly the shape it keeps. */
export function createButtonStores(db: Database): ButtonStores {
  return {
    banConfirmations: new TokenStore(db, "ban_confirmation", pendingBan, CONFIRMATION_TTL_MS),
    playerChoices: new TokenStore(db, "player_choice", playerChoice, CONFIRMATION_TTL_MS),
    banLists: new TokenStore(db, "ban_list", activeBans, BAN_LIST_TTL_MS),
    bulkDecisions: new TokenStore(db, "bulk_decision", bulkDecision, CONFIRMATION_TTL_MS),
    bulkRunPreviews: new TokenStore(db, "bulk_run", bulkRunPreview, MASS_PREVIEW_TTL_MS),
  };
}

/** A key JSON leaves out when its value is undefined, read back as present and undefined. */
const leftOutWhenUndefined = <T extends z.ZodType>(schema: T) => schema.optional().transform((value) => value);
const digits = z.string().regex(/^[0-9]{1,20}$/);
const snowflake = z.string().regex(/^[0-9]{17,20}$/);

const banRequest: z.ZodType<BanRequest> = z.strictObject({
  guildId: snowflake,
  moderatorId: snowflake,
  player: z.string(),
  experience: leftOutWhenUndefined(z.string()),
  placeId: leftOutWhenUndefined(digits),
  duration: z.string(),
  privateReason: z.string(),
  publicReason: leftOutWhenUndefined(z.string()),
  excludeAltAccounts: z.boolean(),
  evidenceAttachmentId: leftOutWhenUndefined(snowflake),
});

const pendingBan: z.ZodType<PendingBan> = z.strictObject({
  request: banRequest,
  playerName: z.string(),
  experienceName: z.string(),
});

const commandRequest: z.ZodType<CommandRequest> = z.strictObject({
  command: z.string(),
  subcommand: z.string().nullable(),
  guildId: snowflake,
  invokerId: snowflake,
  options: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});

const playerChoice: z.ZodType<PlayerChoice> = z.strictObject({
  request: commandRequest,
  candidateIds: z.array(digits),
});

const activeBans: z.ZodType<ActiveBans> = z.strictObject({
  experienceName: z.string(),
  universeId: digits,
  placeId: leftOutWhenUndefined(digits),
  bans: z.array(
    z.strictObject({
      userId: digits,
      username: leftOutWhenUndefined(z.string()),
      endTime: z.iso
        .datetime()
        .transform((text) => new Date(text))
        .nullable(),
      reasonPreview: z.string(),
    }),
  ),
  truncated: z.boolean(),
});

const bulkDecision: z.ZodType<BulkDecision> = z.strictObject({
  guildId: snowflake,
  groupId: digits,
  groupName: z.string(),
  userIds: z.array(digits),
  decision: z.enum(["accept", "decline"]),
});

const bulkRunPreview: z.ZodType<BulkRunPreview> = z.strictObject({
  action: z.enum(["ban", "unban"]),
  guildId: snowflake,
  invokerId: snowflake,
  universeId: digits,
  experienceName: z.string(),
  durationSeconds: z.number().int().positive().nullable(),
  privateReason: z.string(),
  publicReason: leftOutWhenUndefined(z.string()),
  excludeAltAccounts: z.boolean(),
  players: z.array(bulkRunPlayer),
  skipped: bulkRunSkipped,
});
