ALTER TABLE "group_links" ADD COLUMN "suspended_role_id" text;--> statement-breakpoint
ALTER TABLE "group_links" ADD COLUMN "max_role_id" text;--> statement-breakpoint
ALTER TABLE "group_links" ADD CONSTRAINT "group_links_suspended_role_id_digits" CHECK ("group_links"."suspended_role_id" IS NULL OR suspended_role_id ~ '^[0-9]{1,20}$');--> statement-breakpoint
ALTER TABLE "group_links" ADD CONSTRAINT "group_links_max_role_id_digits" CHECK ("group_links"."max_role_id" IS NULL OR max_role_id ~ '^[0-9]{1,20}$');