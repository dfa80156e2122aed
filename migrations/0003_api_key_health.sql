ALTER TABLE "api_keys" ADD COLUMN "problem" text;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "checked_at" timestamp with time zone;