import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/** node-postgres hands bytea back as Buffer, PGlite as Uint8Array: normalise to Buffer. */
const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (value) => Buffer.from(value),
});

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true }).notNull().defaultNow();

/** Roblox ids are int64 that outgrow JS numbers; kept as digit strings, checked by the database. */
const robloxId = (name: string) => text(name);
const digitsOnly = (column: string) => sql.raw(`${column} ~ '^[0-9]{1,20}$'`);

export const PERMISSIONS = ["ban", "unban", "lookup", "review_join_requests", "manage_cases", "rank", "configure"] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const permission = pgEnum("permission", PERMISSIONS);
export const grantSubject = pgEnum("grant_subject", ["role", "user"]);
// `group_remove`, `group_ban`, `group_unban`: a member removed from, banned from or unbanned in a linked
// group; only ever read from the group's audit log, as Open Cloud cannot do them.
export const caseAction = pgEnum("case_action", [
  "ban",
  "unban",
  "join_accept",
  "join_decline",
  "rank",
  "suspend",
  "unsuspend",
  "group_remove",
  "group_ban",
  "group_unban",
]);
/** The cases that move a group member from one role to another. */
export const ROLE_CHANGE_ACTIONS = ["rank", "suspend", "unsuspend"] as const;
/** The cases about a group (a join request decided, a role changed, a member removed, banned or unbanned). */
const GROUP_ACTIONS = ["join_accept", "join_decline", ...ROLE_CHANGE_ACTIONS, "group_remove", "group_ban", "group_unban"] as const;
/**
 * Compared as text: a value added to an enum cannot be used in the transaction
 * that added it, and all pending migrations run in one.
 */
const isOneOf = (action: unknown, names: readonly string[]) => sql`${action}::text IN (${sql.raw(names.map((name) => `'${name}'`).join(", "))})`;
const isRoleChange = (action: unknown) => isOneOf(action, ROLE_CHANGE_ACTIONS);
// `group_audit_log`: a change made in a linked group outside Warden, read from the group's audit log.
export const caseSource = pgEnum("case_source", ["discord", "creator_hub", "in_game", "group_audit_log"]);
export const caseStatus = pgEnum("case_status", ["pending", "applied", "failed"]);
export const bulkRunAction = pgEnum("bulk_run_action", ["ban", "unban"]);
export const bulkRunStatus = pgEnum("bulk_run_status", ["running", "cancelled", "finished"]);
export const reviewState = pgEnum("review_state", ["pending", "claimed", "accepted", "declined", "gone"]);
// `accepting`: a staff member's Accept is unbanning; one decision however many click at once.
export const appealState = pgEnum("appeal_state", ["open", "accepting", "accepted", "declined"]);
export const PENDING_BUTTON_KINDS = ["ban_confirmation", "player_choice", "ban_list", "bulk_decision", "bulk_run"] as const;
export type PendingButtonKind = (typeof PENDING_BUTTON_KINDS)[number];
export const pendingButtonKind = pgEnum("pending_button_kind", PENDING_BUTTON_KINDS);

export const guilds = pgTable(
  "guilds",
  {
    id: text("id").primaryKey(),
    modLogChannelId: text("mod_log_channel_id"),
    reviewChannelId: text("review_channel_id"),
    // The per-guild case counter: bumped with UPDATE ... RETURNING in the case's own
    // transaction, so concurrent moderators never share or skip a number.
    lastCaseNumber: integer("last_case_number").notNull().default(0),
    // The guard against a rogue or compromised moderator: more destructive actions than this in
    // the window pause the member's (0: off). Ten a minute, as the anti-nuke bots of peers do.
    guardMaxActions: integer("guard_max_actions").notNull().default(10),
    guardWindowSeconds: integer("guard_window_seconds").notNull().default(60),
    // Ban appeals from the web page, posted to this channel; off until a configurer turns them on.
    appealsChannelId: text("appeals_channel_id"),
    appealsEnabled: boolean("appeals_enabled").notNull().default(false),
    // How long a player whose appeal was declined waits before appealing the same ban again.
    appealCooldownDays: integer("appeal_cooldown_days").notNull().default(30),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    check("guilds_id_snowflake", sql`${table.id} ~ '^[0-9]{17,20}$'`),
    check("guilds_last_case_number_not_negative", sql`${table.lastCaseNumber} >= 0`),
    check("guilds_appeal_cooldown_bounds", sql`${table.appealCooldownDays} BETWEEN 0 AND 365`),
    check("guilds_guard_bounds", sql`${table.guardMaxActions} BETWEEN 0 AND 100 AND ${table.guardWindowSeconds} BETWEEN 10 AND 3600`),
  ],
);

/**
 * Members whose destructive actions the guard paused: from when, after how
 * many, and who lifted it. At most one pause in force per member and guild.
 */
export const moderatorPauses = pgTable(
  "moderator_pauses",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    guildId: text("guild_id")
      .notNull()
      .references(() => guilds.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    actions: integer("actions").notNull(),
    pausedAt: timestamp("paused_at", { withTimezone: true }).notNull().defaultNow(),
    liftedBy: text("lifted_by"),
    liftedAt: timestamp("lifted_at", { withTimezone: true }),
  },
  (table) => [uniqueIndex("moderator_pauses_one_in_force").on(table.guildId, table.userId).where(sql`${table.liftedAt} IS NULL`)],
);

export const apiKeys = pgTable(
  "api_keys",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    guildId: text("guild_id")
      .notNull()
      .references(() => guilds.id, { onDelete: "cascade" }),
    label: text("label").notNull(),
    // AES-256-GCM: ciphertext with its 16-byte tag appended, and the 12-byte nonce.
    ciphertext: bytea("ciphertext").notNull(),
    nonce: bytea("nonce").notNull(),
    fingerprint: text("fingerprint").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    // What the last health check found wrong with the key (null: nothing), so staff are told once per change.
    problem: text("problem"),
    checkedAt: timestamp("checked_at", { withTimezone: true }),
    // The Roblox user the key belongs to (introspection's authorizedUserId): Roblox counts rate
    // limits per key owner, so every key of one owner draws on one budget. Null until read.
    ownerId: text("owner_id"),
  },
  (table) => [
    uniqueIndex("api_keys_guild_label_key").on(table.guildId, table.label),
    check("api_keys_nonce_length", sql`octet_length(${table.nonce}) = 12`),
  ],
);

/**
 * One row sealed with the encryption key in use when the first API key store
 * could happen: at start, a key that cannot open it is not the key the stored
 * API keys were sealed with, and the bot refuses to run instead of failing
 * every action later.
 */
export const encryptionCanary = pgTable(
  "encryption_canary",
  {
    id: integer("id").primaryKey().default(1),
    ciphertext: bytea("ciphertext").notNull(),
    nonce: bytea("nonce").notNull(),
    createdAt: createdAt(),
  },
  (table) => [check("encryption_canary_one_row", sql`${table.id} = 1`)],
);

export const universeLinks = pgTable(
  "universe_links",
  {
    guildId: text("guild_id")
      .notNull()
      .references(() => guilds.id, { onDelete: "cascade" }),
    universeId: robloxId("universe_id").notNull(),
    apiKeyId: bigint("api_key_id", { mode: "number" })
      .notNull()
      .references(() => apiKeys.id, { onDelete: "restrict" }),
    displayName: text("display_name").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    // How far Roblox's restriction log has been read for bans made outside Warden; null: not yet.
    logsSyncedUntil: timestamp("logs_synced_until", { withTimezone: true }),
  },
  (table) => [
    primaryKey({ columns: [table.guildId, table.universeId] }),
    check("universe_links_universe_id_digits", digitsOnly("universe_id")),
  ],
);

export const groupLinks = pgTable(
  "group_links",
  {
    guildId: text("guild_id")
      .notNull()
      .references(() => guilds.id, { onDelete: "cascade" }),
    groupId: robloxId("group_id").notNull(),
    apiKeyId: bigint("api_key_id", { mode: "number" })
      .notNull()
      .references(() => apiKeys.id, { onDelete: "restrict" }),
    displayName: text("display_name").notNull(),
    // Join-review rules; shape owned and zod-validated by the join-request service.
    rules: jsonb("rules").notNull().default({}),
    // /setup ranks: the role /suspend moves a member to, and the highest role Warden may assign
    // (nor change a member at or above). Ids only: names and ranks are read from Roblox when used.
    suspendedRoleId: robloxId("suspended_role_id"),
    maxRoleId: robloxId("max_role_id"),
    // How far the group's audit log has been read for changes made outside Warden; null: not yet.
    auditLogSyncedUntil: timestamp("audit_log_synced_until", { withTimezone: true }),
    // Roblox refused the audit log to this link's key (no legacy-group:manage): said once in the
    // mod log, and said again only after a read has worked since.
    auditLogRefused: boolean("audit_log_refused").notNull().default(false),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.guildId, table.groupId] }),
    check("group_links_group_id_digits", digitsOnly("group_id")),
    check("group_links_suspended_role_id_digits", sql`${table.suspendedRoleId} IS NULL OR ${digitsOnly("suspended_role_id")}`),
    check("group_links_max_role_id_digits", sql`${table.maxRoleId} IS NULL OR ${digitsOnly("max_role_id")}`),
    check("group_links_rules_object", sql`jsonb_typeof(${table.rules}) = 'object'`),
  ],
);

export const staffGrants = pgTable(
  "staff_grants",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    guildId: text("guild_id")
      .notNull()
      .references(() => guilds.id, { onDelete: "cascade" }),
    subjectType: grantSubject("subject_type").notNull(),
    subjectId: text("subject_id").notNull(),
    permission: permission("permission").notNull(),
    grantedBy: text("granted_by").notNull(),
    createdAt: createdAt(),
  },
  // Column order serves the permission gate's lookup: guild, then permission, then who.
  (table) => [
    uniqueIndex("staff_grants_unique").on(table.guildId, table.permission, table.subjectType, table.subjectId),
  ],
);

export const cases = pgTable(
  "cases",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    guildId: text("guild_id")
      .notNull()
      .references(() => guilds.id, { onDelete: "cascade" }),
    number: integer("number").notNull(),
    action: caseAction("action").notNull(),
    robloxUserId: robloxId("roblox_user_id").notNull(),
    robloxUsername: text("roblox_username"),
    universeId: robloxId("universe_id"),
    placeId: robloxId("place_id"),
    groupId: robloxId("group_id"),
    // Roblox accepts up to 315,576,000,000 s, past int32.
    durationSeconds: bigint("duration_seconds", { mode: "number" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    privateReason: text("private_reason"),
    publicReason: text("public_reason"),
    excludeAltAccounts: boolean("exclude_alt_accounts").notNull().default(false),
    moderatorDiscordId: text("moderator_discord_id"),
    // A role change (rank, suspend, unsuspend): the group role the member left and the one they
    // were given, with the names Roblox had for them then.
    fromRoleId: robloxId("from_role_id"),
    fromRoleName: text("from_role_name"),
    toRoleId: robloxId("to_role_id"),
    toRoleName: text("to_role_name"),
    // Who banned in Creator Hub, for a case taken from Roblox's log.
    robloxModeratorId: robloxId("roblox_moderator_id"),
    source: caseSource("source").notNull().default("discord"),
    status: caseStatus("status").notNull().default("pending"),
    error: text("error"),
    idempotencyKey: text("idempotency_key"),
    modLogMessageId: text("mod_log_message_id"),
    // The process (processes.id) carrying a pending case to Roblox: only it settles the case,
    // until a live process takes over the case of one that stopped heartbeating.
    ownerProcess: text("owner_process"),
    // The mass run this case is one entry of: published in the run's summary, not one by one.
    bulkRunId: text("bulk_run_id"),
    // When the mod log was told that this temporary ban ran out (or that it needs no telling).
    expiryAnnouncedAt: timestamp("expiry_announced_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    uniqueIndex("cases_guild_number_key").on(table.guildId, table.number),
    // The expiry job reads only temporary bans not yet announced.
    index("cases_unannounced_expiry_idx")
      .on(table.expiresAt)
      .where(sql`${table.action} = 'ban' AND ${table.status} = 'applied' AND ${table.expiresAt} IS NOT NULL AND ${table.expiryAnnouncedAt} IS NULL`),
    uniqueIndex("cases_idempotency_key").on(table.idempotencyKey),
    index("cases_guild_user_idx").on(table.guildId, table.robloxUserId),
    // A run's progress and resumption read its own cases.
    index("cases_bulk_run_idx").on(table.bulkRunId).where(sql`${table.bulkRunId} IS NOT NULL`),
    // `/case list moderator:` reads a moderator's cases newest first.
    index("cases_guild_moderator_idx").on(table.guildId, table.moderatorDiscordId, table.number),
    // Startup reconciliation scans only what is still in flight.
    index("cases_pending_idx").on(table.status).where(sql`${table.status} = 'pending'`),
    // The per-target lock: while one ban or unban of a player in an experience (or one place
    // of it) is pending, a second cannot be recorded, from any guild or process. It lives
    // as long as the case is pending, so a crash leaves it for reconciliation to release.
    uniqueIndex("cases_one_pending_per_target")
      .on(table.universeId, sql`coalesce(${table.placeId}, '')`, table.robloxUserId)
      .where(sql`${table.status} = 'pending' AND ${table.action} IN ('ban', 'unban')`),
    // The same lock for a group member's roles: one role change of a member at a time. Role
    // changes are told by their target role (cases_role_change_has_role): an index predicate
    // must be immutable, and an enum's cast to text is not.
    uniqueIndex("cases_one_pending_role_change_per_member")
      .on(table.groupId, table.robloxUserId)
      .where(sql`${table.status} = 'pending' AND ${table.toRoleId} IS NOT NULL`),
    check("cases_number_positive", sql`${table.number} > 0`),
    check("cases_roblox_user_id_digits", digitsOnly("roblox_user_id")),
    check("cases_universe_id_digits", sql`${table.universeId} IS NULL OR ${digitsOnly("universe_id")}`),
    check("cases_place_id_digits", sql`${table.placeId} IS NULL OR ${digitsOnly("place_id")}`),
    check("cases_group_id_digits", sql`${table.groupId} IS NULL OR ${digitsOnly("group_id")}`),
    check("cases_roblox_moderator_id_digits", sql`${table.robloxModeratorId} IS NULL OR ${digitsOnly("roblox_moderator_id")}`),
    check(
      "cases_target_matches_action",
      sql`(${table.action} IN ('ban', 'unban') AND ${table.universeId} IS NOT NULL)
        OR (${isOneOf(table.action, GROUP_ACTIONS)} AND ${table.groupId} IS NOT NULL)`,
    ),
    check("cases_role_change_has_role", sql`(${isRoleChange(table.action)}) = (${table.toRoleId} IS NOT NULL)`),
    check("cases_from_role_id_digits", sql`${table.fromRoleId} IS NULL OR ${digitsOnly("from_role_id")}`),
    check("cases_to_role_id_digits", sql`${table.toRoleId} IS NULL OR ${digitsOnly("to_role_id")}`),
    check("cases_place_needs_universe", sql`${table.placeId} IS NULL OR ${table.universeId} IS NOT NULL`),
    // Roblox's Duration bounds: 1 s to 10,000 years; NULL means permanent.
    check(
      "cases_duration_range",
      sql`${table.durationSeconds} IS NULL OR ${table.durationSeconds} BETWEEN 1 AND 315576000000`,
    ),
    // Roblox's own limits: privateReason 1,000 characters, displayReason 400.
    check("cases_private_reason_length", sql`char_length(${table.privateReason}) <= 1000`),
    check("cases_public_reason_length", sql`char_length(${table.publicReason}) <= 400`),
    check("cases_failed_has_error", sql`${table.status} <> 'failed' OR ${table.error} IS NOT NULL`),
    check(
      "cases_discord_source_has_moderator",
      sql`${table.source} <> 'discord' OR ${table.moderatorDiscordId} IS NOT NULL`,
    ),
  ],
);

/** Append-only: several moderators can annotate a case, and a reason edit keeps who changed what. */
export const caseNotes = pgTable(
  "case_notes",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    caseId: bigint("case_id", { mode: "number" })
      .notNull()
      .references(() => cases.id, { onDelete: "cascade" }),
    authorDiscordId: text("author_discord_id").notNull(),
    body: text("body").notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    index("case_notes_case_idx").on(table.caseId),
    check("case_notes_body_not_empty", sql`char_length(${table.body}) > 0`),
  ],
);

/** What `evidence.size` may be: under Discord's default 10 MiB per uploaded file, so any file kept can be shown again. */
export const EVIDENCE_MAX_BYTES = 8 * 1024 * 1024;

/**
 * Files that back a case (screenshots, clips, logs), kept here because
 * Discord's attachment links expire and its messages can be deleted. A row
 * without a case is a file attached to a /ban that has not recorded its case
 * yet (the moderator may still be picking a player or confirming); it is
 * joined to the case in the case's own transaction, or swept once stale.
 */
export const evidence = pgTable(
  "evidence",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    guildId: text("guild_id").notNull(),
    caseId: bigint("case_id", { mode: "number" }).references(() => cases.id, { onDelete: "cascade" }),
    // The Discord attachment it was uploaded as: how a waiting /ban finds its own file again.
    sourceAttachmentId: text("source_attachment_id").notNull(),
    fileName: text("file_name").notNull(),
    // As detected from the bytes, never as the name or Discord claimed.
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    sha256: text("sha256").notNull(),
    bytes: bytea("bytes").notNull(),
    addedByDiscordId: text("added_by_discord_id").notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    index("evidence_case_idx").on(table.caseId),
    index("evidence_waiting_idx").on(table.guildId, table.sourceAttachmentId).where(sql`${table.caseId} IS NULL`),
    check("evidence_size_matches", sql`${table.size} = octet_length(${table.bytes})`),
    check("evidence_size_range", sql.raw(`size BETWEEN 1 AND ${EVIDENCE_MAX_BYTES}`)),
    check("evidence_file_name_length", sql`char_length(${table.fileName}) BETWEEN 1 AND 200`),
    check("evidence_sha256_hex", sql`${table.sha256} ~ '^[0-9a-f]{64}$'`),
  ],
);

export const joinRequestReviews = pgTable(
  "join_request_reviews",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    guildId: text("guild_id").notNull(),
    groupId: robloxId("group_id").notNull(),
    robloxUserId: robloxId("roblox_user_id").notNull(),
    // The request's own createTime: a player declined today may ask again tomorrow.
    requestedAt: timestamp("requested_at", { withTimezone: true }).notNull(),
    reviewChannelId: text("review_channel_id"),
    reviewMessageId: text("review_message_id"),
    // A lease on posting the card: a poll and a /joinrequests review running at once
    // must not both post it. Expires, so a process that died mid-post does not block it.
    postingSince: timestamp("posting_since", { withTimezone: true }),
    state: reviewState("state").notNull().default("pending"),
    claimedBy: text("claimed_by"),
    claimedAt: timestamp("claimed_at", { withTimezone: true }),
    decidedBy: text("decided_by"),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    decidedByRule: text("decided_by_rule"),
    caseId: bigint("case_id", { mode: "number" }).references(() => cases.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    uniqueIndex("join_request_reviews_request_key").on(
      table.guildId,
      table.groupId,
      table.robloxUserId,
      table.requestedAt,
    ),
    index("join_request_reviews_state_idx").on(table.guildId, table.groupId, table.state),
    check(
      "join_request_reviews_decided",
      sql`${table.state} NOT IN ('accepted', 'declined') OR ${table.decidedAt} IS NOT NULL`,
    ),
    // A review belongs to a linked group; unlinking the group removes its open reviews
    // (decisions already taken live on as cases).
    foreignKey({
      name: "join_request_reviews_group_link_fk",
      columns: [table.guildId, table.groupId],
      foreignColumns: [groupLinks.guildId, groupLinks.groupId],
    }).onDelete("cascade"),
  ],
);

/**
 * A member /suspend moved to the group's suspended role: the role to give
 * back and when. A scheduled job (src/jobs/suspensionRestore.ts) gives it
 * back at `ends_at`; /unsuspend earlier. `ended_at` is set once, by whichever
 * comes first, in the same step that records the case of the restore.
 */
export const suspensions = pgTable(
  "suspensions",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    guildId: text("guild_id").notNull(),
    groupId: robloxId("group_id").notNull(),
    robloxUserId: robloxId("roblox_user_id").notNull(),
    robloxUsername: text("roblox_username").notNull(),
    suspendedRoleId: robloxId("suspended_role_id").notNull(),
    suspendedRoleName: text("suspended_role_name").notNull(),
    restoreRoleId: robloxId("restore_role_id").notNull(),
    restoreRoleName: text("restore_role_name").notNull(),
    endsAt: timestamp("ends_at", { withTimezone: true }).notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    // The unsuspend case that ended it; null when the suspension itself never applied.
    endCaseId: bigint("end_case_id", { mode: "number" }).references(() => cases.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex("suspensions_one_active_per_member")
      .on(table.guildId, table.groupId, table.robloxUserId)
      .where(sql`${table.endedAt} IS NULL`),
    check("suspensions_ids_digits", sql`${digitsOnly("group_id")} AND ${digitsOnly("roblox_user_id")} AND ${digitsOnly("suspended_role_id")} AND ${digitsOnly("restore_role_id")}`),
    // Unlinking the group drops its suspensions: Warden can no longer restore anyone there.
    foreignKey({
      name: "suspensions_group_link_fk",
      columns: [table.guildId, table.groupId],
      foreignColumns: [groupLinks.guildId, groupLinks.groupId],
    }).onDelete("cascade"),
  ],
);

/**
 * When each identify bucket (`shard_id % max_concurrency`) last took its turn
 * to IDENTIFY, by the database's clock: processes started together share
 * Discord's one-per-bucket-per-window limit through it.
 */
export const identifyTurns = pgTable("identify_turns", {
  bucket: integer("bucket").primaryKey(),
  takenAt: timestamp("taken_at", { withTimezone: true }).notNull(),
});

/**
 * Every running bot process, heartbeating by the database's clock: a process
 * whose heartbeat stops is dead, and the live ones take over its pending cases.
 */
export const processes = pgTable("processes", {
  id: text("id").primaryKey(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
  heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Open Cloud budgets shared by every process of a deployment: per bucket
 * (an owner's operation, a universe, a player in a universe), the times its
 * recent calls count from, by the database's clock. Taken and stamped by the
 * functions of migrations 0010 and 0012 (warden_take_rate_slots, warden_stamp_rate_slot,
 * warden_hold_rate_buckets).
 */
export const rateBuckets = pgTable("rate_buckets", {
  id: text("id").primaryKey(),
  slots: timestamp("slots", { withTimezone: true }).array().notNull().default(sql`'{}'`),
  // Until when Roblox asked (a 429's reset) that nobody call on this bucket.
  heldUntil: timestamp("held_until", { withTimezone: true }),
});

/**
 * The state behind a button, found by the token in its custom id: a permanent
 * ban waiting for its "yes", a list being paged, a pick between two players,
 * a bulk decision. In the database so that a click after a restart, or on
 * another process, still finds it; never a key or any other secret, only
 * what the command was asked (the click resolves links and keys again).
 */
export const pendingButtons = pgTable(
  "pending_buttons",
  {
    token: text("token").primaryKey(),
    kind: pendingButtonKind("kind").notNull(),
    // A token is good only in the guild that made it.
    guildId: text("guild_id").notNull(),
    invokerId: text("invoker_id").notNull(),
    // Shape owned and zod-validated by the store of its kind: another version of the bot may have written it.
    value: jsonb("value").notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (table) => [
    // A member's entries of one kind, oldest first: the ones a new entry past their share replaces.
    index("pending_buttons_invoker_idx").on(table.kind, table.invokerId, table.createdAt),
    // The sweep of a kind's expired entries.
    index("pending_buttons_expires_idx").on(table.kind, table.expiresAt),
  ],
);

/**
 * A mass ban or unban (/massban, /massunban) once confirmed: what to do to
 * whom, where, and how it goes. Each player's change is a case of the run
 * (cases.bulk_run_id), recorded before its call, so a run cut short resumes
 * with the players that have no case yet and never sends a settled one again.
 * Owned by the process carrying it; a live process takes over the run of one
 * that stopped heartbeating, as it does pending cases.
 */
export const bulkRuns = pgTable(
  "bulk_runs",
  {
    id: text("id").primaryKey(),
    guildId: text("guild_id")
      .notNull()
      .references(() => guilds.id, { onDelete: "cascade" }),
    action: bulkRunAction("action").notNull(),
    invokerId: text("invoker_id").notNull(),
    universeId: robloxId("universe_id").notNull(),
    placeId: robloxId("place_id"),
    experienceName: text("experience_name").notNull(),
    durationSeconds: bigint("duration_seconds", { mode: "number" }),
    privateReason: text("private_reason").notNull(),
    publicReason: text("public_reason"),
    excludeAltAccounts: boolean("exclude_alt_accounts").notNull().default(false),
    // The players to change, in the list's order: [{ id, name }]. What was left out at the preview
    // (unknown, ambiguous, already in the wanted state) is in `skipped`, for the summary.
    players: jsonb("players").notNull(),
    skipped: jsonb("skipped").notNull(),
    status: bulkRunStatus("status").notNull().default("running"),
    cancelledBy: text("cancelled_by"),
    // Where the progress message is edited.
    channelId: text("channel_id").notNull(),
    progressMessageId: text("progress_message_id"),
    ownerProcess: text("owner_process"),
    createdAt: createdAt(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (table) => [
    check("bulk_runs_universe_id_digits", digitsOnly("universe_id")),
    check("bulk_runs_place_id_digits", sql`${table.placeId} IS NULL OR ${digitsOnly("place_id")}`),
    index("bulk_runs_running_idx").on(table.status).where(sql`${table.status} = 'running'`),
  ],
);

/** The longest appeal a player may write: room to explain, short enough for one Discord embed. */
export const APPEAL_TEXT_MAX = 2000;

/**
 * A banned player's appeal of one ban, written on the web page after signing in with Roblox,
 * and decided by the guild's staff in Discord.
 */
export const appeals = pgTable(
  "appeals",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    guildId: text("guild_id")
      .notNull()
      .references(() => guilds.id, { onDelete: "cascade" }),
    universeId: robloxId("universe_id").notNull(),
    // Null: the ban covers the whole universe.
    placeId: robloxId("place_id"),
    // Who appeals: the `sub` of their Roblox sign-in, never a name they typed.
    robloxUserId: robloxId("roblox_user_id").notNull(),
    robloxUsername: text("roblox_username"),
    // The ban appealed, as Roblox dates it: a later ban of the same player is another ban.
    banStartedAt: timestamp("ban_started_at", { withTimezone: true }).notNull(),
    // Warden's case for that ban, when it has one (a ban from before the link has none).
    banCaseId: bigint("ban_case_id", { mode: "number" }).references(() => cases.id, { onDelete: "set null" }),
    text: text("text").notNull(),
    state: appealState("state").notNull().default("open"),
    // A keyed hash of the address the appeal came from, for per-address limits; never the address.
    submitterAddressHash: text("submitter_address_hash"),
    // The staff message in the guild's appeals channel; null until posted.
    channelId: text("channel_id"),
    messageId: text("message_id"),
    decidedBy: text("decided_by"),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    // What the player is told on the page with a decline: written by staff for the player.
    publicAnswer: text("public_answer"),
    unbanCaseId: bigint("unban_case_id", { mode: "number" }).references(() => cases.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    // One open appeal per ban target: a second is refused until the first is decided.
    uniqueIndex("appeals_one_open_per_ban")
      .on(table.guildId, table.universeId, sql`coalesce(${table.placeId}, '')`, table.robloxUserId)
      .where(sql`${table.state} IN ('open', 'accepting')`),
    index("appeals_player_idx").on(table.robloxUserId, table.createdAt),
    // Appeals not yet in their channel: posted by the guild's shard, again after an outage.
    index("appeals_unposted_idx").on(table.guildId).where(sql`${table.messageId} IS NULL AND ${table.state} = 'open'`),
    check("appeals_universe_id_digits", digitsOnly("universe_id")),
    check("appeals_place_id_digits", sql`${table.placeId} IS NULL OR ${digitsOnly("place_id")}`),
    check("appeals_roblox_user_id_digits", digitsOnly("roblox_user_id")),
    check("appeals_text_length", sql.raw(`char_length(text) BETWEEN 1 AND ${APPEAL_TEXT_MAX}`)),
    check("appeals_decided", sql`${table.state} NOT IN ('accepted', 'declined') OR ${table.decidedAt} IS NOT NULL`),
  ],
);
