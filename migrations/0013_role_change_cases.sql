ALTER TYPE "public"."case_action" ADD VALUE 'rank';--> statement-breakpoint
ALTER TYPE "public"."case_action" ADD VALUE 'suspend';--> statement-breakpoint
ALTER TYPE "public"."case_action" ADD VALUE 'unsuspend';--> statement-breakpoint
ALTER TYPE "public"."permission" ADD VALUE 'rank' BEFORE 'configure';--> statement-breakpoint
ALTER TABLE "cases" DROP CONSTRAINT "cases_target_matches_action";--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "from_role_id" text;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "from_role_name" text;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "to_role_id" text;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "to_role_name" text;--> statement-breakpoint
CREATE UNIQUE INDEX "cases_one_pending_role_change_per_member" ON "cases" USING btree ("group_id","roblox_user_id") WHERE "cases"."status" = 'pending' AND "cases"."to_role_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_role_change_has_role" CHECK (("cases"."action"::text IN ('rank', 'suspend', 'unsuspend')) = ("cases"."to_role_id" IS NOT NULL));--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_from_role_id_digits" CHECK ("cases"."from_role_id" IS NULL OR from_role_id ~ '^[0-9]{1,20}$');--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_to_role_id_digits" CHECK ("cases"."to_role_id" IS NULL OR to_role_id ~ '^[0-9]{1,20}$');--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_target_matches_action" CHECK (("cases"."action" IN ('ban', 'unban') AND "cases"."universe_id" IS NOT NULL)
        OR ("cases"."action" IN ('join_accept', 'join_decline') AND "cases"."group_id" IS NOT NULL)
        OR ("cases"."action"::text IN ('rank', 'suspend', 'unsuspend') AND "cases"."group_id" IS NOT NULL));