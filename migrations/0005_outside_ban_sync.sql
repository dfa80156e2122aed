ALTER TABLE "cases" ADD COLUMN "roblox_moderator_id" text;--> statement-breakpoint
ALTER TABLE "universe_links" ADD COLUMN "logs_synced_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_roblox_moderator_id_digits" CHECK ("cases"."roblox_moderator_id" IS NULL OR roblox_moderator_id ~ '^[0-9]{1,20}$');