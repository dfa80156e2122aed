import { defineConfig } from "drizzle-kit";

// Only `drizzle-kit generate` reads this: it diffs src/db/schema.ts against the
// committed snapshots and writes the next SQL migration. No database needed.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
