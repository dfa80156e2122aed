ALTER TYPE "public"."case_action" ADD VALUE 'group_remove';--> statement-breakpoint
ALTER TYPE "public"."case_action" ADD VALUE 'group_ban';--> statement-breakpoint
ALTER TYPE "public"."case_action" ADD VALUE 'group_unban';--> statement-breakpoint
ALTER TABLE "cases" DROP CONSTRAINT "cases_target_matches_action";--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_target_matches_action" CHECK (("cases"."action" IN ('ban', 'unban') AND "cases"."universe_id" IS NOT NULL)
        OR ("cases"."action"::text IN ('join_accept', 'join_decline', 'rank', 'suspend', 'unsuspend', 'group_remove', 'group_ban', 'group_unban') AND "cases"."group_id" IS NOT NULL));