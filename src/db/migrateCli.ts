// `npm run db:migrate`: apply pending migrations to DATABASE_URL (or the embedded database) and exit.
import { loadConfig } from "../config.js";
import { openDatabase } from "./connection.js";
import { runCli } from "../cli.js";

await runCli(async () => {
  const config = loadConfig(process.env, { requireDiscordToken: false });
  const database = await openDatabase(config);
  try {
    await database.migrate();
    console.log(`Migrations applied (${database.kind}).`);
  } finally {
    await database.close();
  }
});
