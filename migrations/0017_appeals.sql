CREATE TYPE "public"."appeal_state" AS ENUM('open', 'accepting', 'accepted', 'declined');--> statement-breakpoint
CREATE TABLE "appeals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"guild_id" text NOT NULL,
	"universe_id" text NOT NULL,
	"place_id" text,
	"roblox_user_id" text NOT NULL,
	"roblox_username" text,
	"ban_started_at" timestamp with time zone NOT NULL,
	"ban_case_id" bigint,
	"text" text NOT NULL,
	"state" "appeal_state" DEFAULT 'open' NOT NULL,
	"submitter_address_hash" text,
	"channel_id" text,
	"message_id" text,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"public_answer" text,
	"unban_case_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "appeals_universe_id_digits" CHECK (universe_id ~ '^[0-9]{1,20}$'),
	CONSTRAINT "appeals_place_id_digits" CHECK ("appeals"."place_id" IS NULL OR place_id ~ '^[0-9]{1,20}$'),
	CONSTRAINT "appeals_roblox_user_id_digits" CHECK (roblox_user_id ~ '^[0-9]{1,20}$'),
	CONSTRAINT "appeals_text_length" CHECK (char_length(text) BETWEEN 1 AND 2000),
	CONSTRAINT "appeals_decided" CHECK ("appeals"."state" NOT IN ('accepted', 'declined') OR "appeals"."decided_at" IS NOT NULL)
);
--> statement-breakpoint
ALTER TABLE "guilds" ADD COLUMN "appeals_channel_id" text;--> statement-breakpoint
ALTER TABLE "guilds" ADD COLUMN "appeals_enabled" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "guilds" ADD COLUMN "appeal_cooldown_days" integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE "appeals" ADD CONSTRAINT "appeals_guild_id_guilds_id_fk" FOREIGN KEY ("guild_id") REFERENCES "public"."guilds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeals" ADD CONSTRAINT "appeals_ban_case_id_cases_id_fk" FOREIGN KEY ("ban_case_id") REFERENCES "public"."cases"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeals" ADD CONSTRAINT "appeals_unban_case_id_cases_id_fk" FOREIGN KEY ("unban_case_id") REFERENCES "public"."cases"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "appeals_one_open_per_ban" ON "appeals" USING btree ("guild_id","universe_id",coalesce("place_id", ''),"roblox_user_id") WHERE "appeals"."state" IN ('open', 'accepting');--> statement-breakpoint
CREATE INDEX "appeals_player_idx" ON "appeals" USING btree ("roblox_user_id","created_at");--> statement-breakpoint
CREATE INDEX "appeals_unposted_idx" ON "appeals" USING btree ("guild_id") WHERE "appeals"."message_id" IS NULL AND "appeals"."state" = 'open';--> statement-breakpoint
ALTER TABLE "guilds" ADD CONSTRAINT "guilds_appeal_cooldown_bounds" CHECK ("guilds"."appeal_cooldown_days" BETWEEN 0 AND 365);