CREATE TABLE "encryption_canary" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"ciphertext" "bytea" NOT NULL,
	"nonce" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "encryption_canary_one_row" CHECK ("encryption_canary"."id" = 1)
);
