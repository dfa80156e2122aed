ALTER TABLE "cases" ADD COLUMN "expiry_announced_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "cases_unannounced_expiry_idx" ON "cases" USING btree ("expires_at") WHERE "cases"."action" = 'ban' AND "cases"."status" = 'applied' AND "cases"."expires_at" IS NOT NULL AND "cases"."expiry_announced_at" IS NULL;--> statement-breakpoint
-- Bans that ran out before this version are history, not news: they are not announced.
UPDATE "cases" SET "expiry_announced_at" = now() WHERE "action" = 'ban' AND "status" = 'applied' AND "expires_at" <= now();
