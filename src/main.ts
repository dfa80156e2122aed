// `npm start`: configuration, database, migrations, then Discord.
import { Client, DiscordAPIError, DiscordjsErrorCodes, Events, GatewayIntentBits } from "discord.js";
import { runCli } from "./cli.js";
import { loadConfig } from "./config.js";
import { openDatabase } from "./db/connection.js";
import { resolveEncryptionKey } from "./db/encryptionKey.js";
import { createLogger } from "./log.js";
import { StartupError } from "./startupError.js";

await runCli(async () => {
  const config = loadConfig(process.env, { requireDiscordToken: true });
  const logger = createLogger(config.logLevel);

  const database = await openDatabase(config);
  await database.migrate();
  logger.info({ database: database.kind }, "database ready");
  await resolveEncryptionKey({
    configured: config.encryptionKey,
    dataDir: config.dataDir,
    warn: (message) => logger.warn(message),
  });

  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: config.discordApiUrl },
  });
  client.once(Events.ClientReady, (ready) => {
    logger.info({ user: ready.user.tag, guilds: ready.guilds.cache.size }, "connected to Discord");
  });

  const shutdown = async (signal: string) => {
    logger.info({ signal }, "shutting down");
    await client.destroy();
    await database.close();
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));

  try {
    await client.login(config.discordToken);
  } catch (error) {
    await shutdown("login failed");
    throw explainLoginFailure(error, config.discordApiUrl);
  }
});

function explainLoginFailure(error: unknown, apiUrl: string): Error {
  const rejected =
    (error instanceof Error && "code" in error && error.code === DiscordjsErrorCodes.TokenInvalid) ||
    (error instanceof DiscordAPIError && error.status === 401);
  if (rejected) {
    return new StartupError(
      "Discord rejected DISCORD_TOKEN. Copy a fresh token from https://discord.com/developers/applications -> your app -> Bot -> Reset Token.",
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new StartupError(`Could not log in to Discord at ${apiUrl} (DISCORD_API_URL): ${reason}`);
}
