// `npm run deploy-commands`: registers the slash commands without starting the bot,
// to DEV_GUILD_ID when set (instant), else globally.
import { REST, Routes } from "discord.js";
import { z } from "zod";
import { commands } from "../commands/index.js";
import { runCli } from "./cli.js";
import { loadConfig } from "./config.js";
import { deployCommands } from "./discord/deployCommands.js";

await runCli(async () => {
  const config = loadConfig(process.env, { requireDiscordToken: true });
  const rest = new REST({ api: config.discordApiUrl }).setToken(config.discordToken ?? "");
  const application = z.object({ id: z.string() }).parse(await rest.get(Routes.currentApplication()));
  await deployCommands(rest, application.id, commands, config.devGuildId);
  console.log(
    `Registered ${commands.length} commands ${config.devGuildId ? `to guild ${config.devGuildId}` : "globally (may take up to an hour to appear)"}.`,
  );
});
