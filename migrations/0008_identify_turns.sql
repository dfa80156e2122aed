CREATE TABLE "identify_turns" (
	"bucket" integer PRIMARY KEY NOT NULL,
	"taken_at" timestamp with time zone NOT NULL
);
