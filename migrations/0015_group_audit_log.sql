ALTER TYPE "public"."case_source" ADD VALUE 'group_audit_log';--> statement-breakpoint
ALTER TABLE "group_links" ADD COLUMN "audit_log_synced_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "group_links" ADD COLUMN "audit_log_refused" boolean DEFAULT false NOT NULL;