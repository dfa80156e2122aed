CREATE TYPE "public"."pending_button_kind" AS ENUM('ban_confirmation', 'player_choice', 'ban_list', 'bulk_decision');--> statement-breakpoint
CREATE TABLE "pending_buttons" (
	"token" text PRIMARY KEY NOT NULL,
	"kind" "pending_button_kind" NOT NULL,
	"guild_id" text NOT NULL,
	"invoker_id" text NOT NULL,
	"value" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "pending_buttons_invoker_idx" ON "pending_buttons" USING btree ("kind","invoker_id","created_at");--> statement-breakpoint
CREATE INDEX "pending_buttons_expires_idx" ON "pending_buttons" USING btree ("kind","expires_at");