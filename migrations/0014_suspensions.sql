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
ALTER TABLE "suspensions" ADD CONSTRAINT "suspensions_end_case_id_cases_id_fk" FOREIGN KEY ("end_case_id") REFERENCES "public"."cases"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "suspensions" ADD CONSTRAINT "suspensions_group_link_fk" FOREIGN KEY ("guild_id","group_id") REFERENCES "public"."group_links"("guild_id","group_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "suspensions_one_active_per_member" ON "suspensions" USING btree ("guild_id","group_id","roblox_user_id") WHERE "suspensions"."ended_at" IS NULL;