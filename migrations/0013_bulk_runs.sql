CREATE TYPE "public"."bulk_run_action" AS ENUM('ban', 'unban');--> statement-breakpoint
CREATE TYPE "public"."bulk_run_status" AS ENUM('running', 'cancelled', 'finished');--> statement-breakpoint
ALTER TYPE "public"."pending_button_kind" ADD VALUE 'bulk_run';--> statement-breakpoint
CREATE TABLE "bulk_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"guild_id" text NOT NULL,
	"action" "bulk_run_action" NOT NULL,
	"invoker_id" text NOT NULL,
	"universe_id" text NOT NULL,
	"place_id" text,
	"experience_name" text NOT NULL,
	"duration_seconds" bigint,
	"private_reason" text NOT NULL,
	"public_reason" text,
	"exclude_alt_accounts" boolean DEFAULT false NOT NULL,
	"players" jsonb NOT NULL,
	"skipped" jsonb NOT NULL,
	"status" "bulk_run_status" DEFAULT 'running' NOT NULL,
	"cancelled_by" text,
	"channel_id" text NOT NULL,
	"progress_message_id" text,
	"owner_process" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "bulk_runs_universe_id_digits" CHECK (universe_id ~ '^[0-9]{1,20}$'),
	CONSTRAINT "bulk_runs_place_id_digits" CHECK ("bulk_runs"."place_id" IS NULL OR place_id ~ '^[0-9]{1,20}$')
);
--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "bulk_run_id" text;--> statement-breakpoint
ALTER TABLE "bulk_runs" ADD CONSTRAINT "bulk_runs_guild_id_guilds_id_fk" FOREIGN KEY ("guild_id") REFERENCES "public"."guilds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bulk_runs_running_idx" ON "bulk_runs" USING btree ("status") WHERE "bulk_runs"."status" = 'running';--> statement-breakpoint
CREATE INDEX "cases_bulk_run_idx" ON "cases" USING btree ("bulk_run_id") WHERE "cases"."bulk_run_id" IS NOT NULL;