CREATE TYPE "public"."case_action" AS ENUM('ban', 'unban', 'join_accept', 'join_decline');--> statement-breakpoint
CREATE TYPE "public"."case_source" AS ENUM('discord', 'creator_hub', 'in_game');--> statement-breakpoint
CREATE TYPE "public"."case_status" AS ENUM('pending', 'applied', 'failed');--> statement-breakpoint
CREATE TYPE "public"."grant_subject" AS ENUM('role', 'user');--> statement-breakpoint
CREATE TYPE "public"."permission" AS ENUM('ban', 'unban', 'lookup', 'review_join_requests', 'manage_cases', 'configure');--> statement-breakpoint
CREATE TYPE "public"."review_state" AS ENUM('pending', 'claimed', 'accepted', 'declined', 'gone');--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"guild_id" text NOT NULL,
	"label" text NOT NULL,
	"ciphertext" "bytea" NOT NULL,
	"nonce" "bytea" NOT NULL,
	"fingerprint" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "api_keys_nonce_length" CHECK (octet_length("api_keys"."nonce") = 12)
);
--> statement-breakpoint
CREATE TABLE "case_notes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" bigint NOT NULL,
	"author_discord_id" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "case_notes_body_not_empty" CHECK (char_length("case_notes"."body") > 0)
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"guild_id" text NOT NULL,
	"number" integer NOT NULL,
	"action" "case_action" NOT NULL,
	"roblox_user_id" text NOT NULL,
	"roblox_username" text,
	"universe_id" text,
	"place_id" text,
	"group_id" text,
	"duration_seconds" bigint,
	"expires_at" timestamp with time zone,
	"private_reason" text,
	"public_reason" text,
	"exclude_alt_accounts" boolean DEFAULT false NOT NULL,
	"moderator_discord_id" text,
	"source" "case_source" DEFAULT 'discord' NOT NULL,
	"status" "case_status" DEFAULT 'pending' NOT NULL,
	"error" text,
	"idempotency_key" text,
	"mod_log_message_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cases_number_positive" CHECK ("cases"."number" > 0),
	CONSTRAINT "cases_roblox_user_id_digits" CHECK (roblox_user_id ~ '^[0-9]{1,20}$'),
	CONSTRAINT "cases_universe_id_digits" CHECK ("cases"."universe_id" IS NULL OR universe_id ~ '^[0-9]{1,20}$'),
	CONSTRAINT "cases_place_id_digits" CHECK ("cases"."place_id" IS NULL OR place_id ~ '^[0-9]{1,20}$'),
	CONSTRAINT "cases_group_id_digits" CHECK ("cases"."group_id" IS NULL OR group_id ~ '^[0-9]{1,20}$'),
	CONSTRAINT "cases_target_matches_action" CHECK (("cases"."action" IN ('ban', 'unban') AND "cases"."universe_id" IS NOT NULL)
        OR ("cases"."action" IN ('join_accept', 'join_decline') AND "cases"."group_id" IS NOT NULL)),
	CONSTRAINT "cases_place_needs_universe" CHECK ("cases"."place_id" IS NULL OR "cases"."universe_id" IS NOT NULL),
	CONSTRAINT "cases_duration_range" CHECK ("cases"."duration_seconds" IS NULL OR "cases"."duration_seconds" BETWEEN 1 AND 315576000000),
	CONSTRAINT "cases_private_reason_length" CHECK (char_length("cases"."private_reason") <= 1000),
	CONSTRAINT "cases_public_reason_length" CHECK (char_length("cases"."public_reason") <= 400),
	CONSTRAINT "cases_failed_has_error" CHECK ("cases"."status" <> 'failed' OR "cases"."error" IS NOT NULL),
	CONSTRAINT "cases_discord_source_has_moderator" CHECK ("cases"."source" <> 'discord' OR "cases"."moderator_discord_id" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "group_links" (
	"guild_id" text NOT NULL,
	"group_id" text NOT NULL,
	"api_key_id" bigint NOT NULL,
	"display_name" text NOT NULL,
	"rules" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "group_links_guild_id_group_id_pk" PRIMARY KEY("guild_id","group_id"),
	CONSTRAINT "group_links_group_id_digits" CHECK (group_id ~ '^[0-9]{1,20}$'),
	CONSTRAINT "group_links_rules_object" CHECK (jsonb_typeof("group_links"."rules") = 'object')
);
--> statement-breakpoint
CREATE TABLE "guilds" (
	"id" text PRIMARY KEY NOT NULL,
	"mod_log_channel_id" text,
	"review_channel_id" text,
	"last_case_number" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "guilds_id_snowflake" CHECK ("guilds"."id" ~ '^[0-9]{17,20}$'),
	CONSTRAINT "guilds_last_case_number_not_negative" CHECK ("guilds"."last_case_number" >= 0)
);
--> statement-breakpoint
CREATE TABLE "join_request_reviews" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"guild_id" text NOT NULL,
	"group_id" text NOT NULL,
	"roblox_user_id" text NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"review_channel_id" text,
	"review_message_id" text,
	"state" "review_state" DEFAULT 'pending' NOT NULL,
	"claimed_by" text,
	"claimed_at" timestamp with time zone,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"decided_by_rule" text,
	"case_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "join_request_reviews_decided" CHECK ("join_request_reviews"."state" NOT IN ('accepted', 'declined') OR "join_request_reviews"."decided_at" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "staff_grants" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"guild_id" text NOT NULL,
	"subject_type" "grant_subject" NOT NULL,
	"subject_id" text NOT NULL,
	"permission" "permission" NOT NULL,
	"granted_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "universe_links" (
	"guild_id" text NOT NULL,
	"universe_id" text NOT NULL,
	"api_key_id" bigint NOT NULL,
	"display_name" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "universe_links_guild_id_universe_id_pk" PRIMARY KEY("guild_id","universe_id"),
	CONSTRAINT "universe_links_universe_id_digits" CHECK (universe_id ~ '^[0-9]{1,20}$')
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_guild_id_guilds_id_fk" FOREIGN KEY ("guild_id") REFERENCES "public"."guilds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_notes" ADD CONSTRAINT "case_notes_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_guild_id_guilds_id_fk" FOREIGN KEY ("guild_id") REFERENCES "public"."guilds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_links" ADD CONSTRAINT "group_links_guild_id_guilds_id_fk" FOREIGN KEY ("guild_id") REFERENCES "public"."guilds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_links" ADD CONSTRAINT "group_links_api_key_id_api_keys_id_fk" FOREIGN KEY ("api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "join_request_reviews" ADD CONSTRAINT "join_request_reviews_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "join_request_reviews" ADD CONSTRAINT "join_request_reviews_group_link_fk" FOREIGN KEY ("guild_id","group_id") REFERENCES "public"."group_links"("guild_id","group_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_grants" ADD CONSTRAINT "staff_grants_guild_id_guilds_id_fk" FOREIGN KEY ("guild_id") REFERENCES "public"."guilds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "universe_links" ADD CONSTRAINT "universe_links_guild_id_guilds_id_fk" FOREIGN KEY ("guild_id") REFERENCES "public"."guilds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "universe_links" ADD CONSTRAINT "universe_links_api_key_id_api_keys_id_fk" FOREIGN KEY ("api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_guild_label_key" ON "api_keys" USING btree ("guild_id","label");--> statement-breakpoint
CREATE INDEX "case_notes_case_idx" ON "case_notes" USING btree ("case_id");--> statement-breakpoint
CREATE UNIQUE INDEX "cases_guild_number_key" ON "cases" USING btree ("guild_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "cases_idempotency_key" ON "cases" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "cases_guild_user_idx" ON "cases" USING btree ("guild_id","roblox_user_id");--> statement-breakpoint
CREATE INDEX "cases_pending_idx" ON "cases" USING btree ("status") WHERE "cases"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "join_request_reviews_request_key" ON "join_request_reviews" USING btree ("guild_id","group_id","roblox_user_id","requested_at");--> statement-breakpoint
CREATE INDEX "join_request_reviews_state_idx" ON "join_request_reviews" USING btree ("guild_id","group_id","state");--> statement-breakpoint
CREATE UNIQUE INDEX "staff_grants_unique" ON "staff_grants" USING btree ("guild_id","permission","subject_type","subject_id");