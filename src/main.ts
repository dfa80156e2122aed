// `npm start`: configuration, database, migrations, then Discord; stops cleanly on SIGINT/SIGTERM.
import { startWarden } from "./app.js";
import { runCli } from "./cli.js";
import { loadConfig } from "./config.js";
import { createLogger } from "./log.js";

await runCli(async () => {
  const config = loadConfig(process.env, { requireDiscordToken: true });
  const logger = createLogger(config.logLevel);
  const started = startWarden(config, logger);

  // Installed before start-up finishes: a signal during it still stops cleanly, once started.
  const shutdown = (signal: string) => {
    logger.info({ signal }, "shutting down");
    started
      .then((warden) => warden.stop())
      .catch((error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exitCode = 1;
      });
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  await started;
});
