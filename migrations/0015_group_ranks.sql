ALTER TYPE "public"."case_action" ADD VALUE 'rank';--> statement-breakpoint
ALTER TYPE "public"."case_action" ADD VALUE 'suspend';--> statement-breakpoint
ALTER TYPE "public"."case_action" ADD VALUE 'unsuspend';--> statement-breakpoint
ALTER TYPE "public"."case_source" ADD VALUE 'group_audit_log';--> statement-breakpoint
ALTER TYPE "public"."permission" ADD VALUE 'rank' BEFORE 'configure';--> statement-breakpoint
CREATE TABLE "suspensions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"guild_id" text NOT NULL,
	"group_id" text NOT NULL,
	"roblox_user_id" text NOT NULL,
	"roblox_username" text NOT NULL,
	"suspended_role_id" text NOT NULL,
	"suspended_role_name" text NOT NULL,
	"restore_role_id" text NOT NULL,
	"restore_role_name" text NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"end_case_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "suspensions_ids_digits" CHECK (group_id ~ '^[0-9]{1,20}$' AND roblox_user_id ~ '^[0-9]{1,20}$' AND suspended_role_id ~ '^[0-9]{1,20}$' AND restore_role_id ~ '^[0-9]{1,20}$')
);
--> statement-breakpoint
ALTER TABLE "cases" DROP CONSTRAINT "cases_target_matches_action";--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "from_role_id" text;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "from_role_name" text;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "to_role_id" text;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "to_role_name" text;--> statement-breakpoint
ALTER TABLE "group_links" ADD COLUMN "suspended_role_id" text;--> statement-breakpoint
ALTER TABLE "group_links" ADD COLUMN "max_role_id" text;--> statement-breakpoint
ALTER TABLE "group_links" ADD COLUMN "audit_log_synced_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "group_links" ADD COLUMN "audit_log_refused" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "suspensions" ADD CONSTRAINT "suspensions_end_case_id_cases_id_fk" FOREIGN KEY ("end_case_id") REFERENCES "public"."cases"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "suspensions" ADD CONSTRAINT "suspensions_group_link_fk" FOREIGN KEY ("guild_id","group_id") REFERENCES "public"."group_links"("guild_id","group_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "suspensions_one_active_per_member" ON "suspensions" USING btree ("guild_id","group_id","roblox_user_id") WHERE "suspensions"."ended_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "cases_one_pending_role_change_per_member" ON "cases" USING btree ("group_id","roblox_user_id") WHERE "cases"."status" = 'pending' AND "cases"."to_role_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_role_change_has_role" CHECK (("cases"."action"::text IN ('rank', 'suspend', 'unsuspend')) = ("cases"."to_role_id" IS NOT NULL));--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_from_role_id_digits" CHECK ("cases"."from_role_id" IS NULL OR from_role_id ~ '^[0-9]{1,20}$');--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_to_role_id_digits" CHECK ("cases"."to_role_id" IS NULL OR to_role_id ~ '^[0-9]{1,20}$');--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_target_matches_action" CHECK (("cases"."action" IN ('ban', 'unban') AND "cases"."universe_id" IS NOT NULL)
        OR ("cases"."action" IN ('join_accept', 'join_decline') AND "cases"."group_id" IS NOT NULL)
        OR ("cases"."action"::text IN ('rank', 'suspend', 'unsuspend') AND "cases"."group_id" IS NOT NULL));--> statement-breakpoint
ALTER TABLE "group_links" ADD CONSTRAINT "group_links_suspended_role_id_digits" CHECK ("group_links"."suspended_role_id" IS NULL OR suspended_role_id ~ '^[0-9]{1,20}$');--> statement-breakpoint
ALTER TABLE "group_links" ADD CONSTRAINT "group_links_max_role_id_digits" CHECK ("group_links"."max_role_id" IS NULL OR max_role_id ~ '^[0-9]{1,20}$');