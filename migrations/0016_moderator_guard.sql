CREATE TABLE "moderator_pauses" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"guild_id" text NOT NULL,
	"user_id" text NOT NULL,
	"actions" integer NOT NULL,
	"paused_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lifted_by" text,
	"lifted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "guilds" ADD COLUMN "guard_max_actions" integer DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE "guilds" ADD COLUMN "guard_window_seconds" integer DEFAULT 60 NOT NULL;--> statement-breakpoint
ALTER TABLE "moderator_pauses" ADD CONSTRAINT "moderator_pauses_guild_id_guilds_id_fk" FOREIGN KEY ("guild_id") REFERENCES "public"."guilds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "moderator_pauses_one_in_force" ON "moderator_pauses" USING btree ("guild_id","user_id") WHERE "moderator_pauses"."lifted_at" IS NULL;--> statement-breakpoint
ALTER TABLE "guilds" ADD CONSTRAINT "guilds_guard_bounds" CHECK ("guilds"."guard_max_actions" BETWEEN 0 AND 100 AND "guilds"."guard_window_seconds" BETWEEN 10 AND 3600);