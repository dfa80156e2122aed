// The floor Warden is measured against in bench/interactionAck.ts: a discord.js
// client with Warden's one intent and discord.js's default caches, doing
// nothing but acknowledging every slash command with an ephemeral deferral.
//
// Imported for the latency half (in the bench process, like Warden there), and
// run as its own process for the memory half:
//   DISCORD_TOKEN=... DISCORD_API_URL=... BENCH_GUILDS=1000 node dist/bench/bareClient.js
// (bench/interactionAck.ts compiles it there, so it runs without a TypeScript loader, as the bot does)
// prints "ready <guilds>" once ClientReady fired and every guild has arrived,
// and stops on SIGTERM/SIGINT.
import { pathToFileURL } from "node:url";
import { Client, Events, GatewayDispatchEvents, GatewayIntentBits, MessageFlags } from "discord.js";

export function createBareClient(apiUrl: string): Client {
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: apiUrl } });
  client.on(Events.InteractionCreate, (interaction) => {
    if (!interaction.isChatInputCommand()) return;
    interaction.deferReply({ flags: MessageFlags.Ephemeral }).catch((error: unknown) => console.error("deferReply failed:", error));
  });
  return client;
}

/**
 * Logs in and resolves once ClientReady fired and a GUILD_CREATE arrived for
 * each of `guilds` guilds. (ClientReady alone also fires when discord.js gives
 * up waiting for slow guilds; `guild.available` can't tell either, because the
 * local Discord's start-up GUILD_CREATEs omit `unavailable: false`, so
 * discord.js keeps READY's `available = false` on those guilds.)
 */
export async function startBareClient(apiUrl: string, token: string, guilds: number): Promise<Client> {
  const client = createBareClient(apiUrl);
  const received = new Set<string>();
  const ready = new Promise<void>((resolve) => {
    const check = () => {
      if (!client.isReady() || received.size < guilds) return;
      client.ws.off(GatewayDispatchEvents.GuildCreate, onGuildCreate);
      resolve();
    };
    const onGuildCreate = (data: { id: string }) => {
      received.add(data.id);
      check();
    };
    client.ws.on(GatewayDispatchEvents.GuildCreate, onGuildCreate);
    client.once(Events.ClientReady, check);
  });
  await client.login(token);
  await ready;
  return client;
}

async function main(): Promise<void> {
  const { DISCORD_TOKEN: token, DISCORD_API_URL: apiUrl, BENCH_GUILDS: guilds } = process.env;
  if (token === undefined || apiUrl === undefined) throw new Error("DISCORD_TOKEN and DISCORD_API_URL are required");
  const client = await startBareClient(apiUrl, token, Number(guilds ?? 0));
  console.log(`ready ${client.guilds.cache.size}`);
  const stop = () => void client.destroy();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
