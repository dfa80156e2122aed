CREATE TABLE "evidence" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"guild_id" text NOT NULL,
	"case_id" bigint,
	"source_attachment_id" text NOT NULL,
	"file_name" text NOT NULL,
	"content_type" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"bytes" "bytea" NOT NULL,
	"added_by_discord_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "evidence_size_matches" CHECK ("evidence"."size" = octet_length("evidence"."bytes")),
	CONSTRAINT "evidence_size_range" CHECK (size BETWEEN 1 AND 8388608),
	CONSTRAINT "evidence_file_name_length" CHECK (char_length("evidence"."file_name") BETWEEN 1 AND 200),
	CONSTRAINT "evidence_sha256_hex" CHECK ("evidence"."sha256" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
ALTER TABLE "evidence" ADD CONSTRAINT "evidence_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "evidence_case_idx" ON "evidence" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "evidence_waiting_idx" ON "evidence" USING btree ("guild_id","source_attachment_id") WHERE "evidence"."case_id" IS NULL;