import { once } from "node:events";
import { Client, Events, GatewayIntentBits } from "discord.js";
import type { DiscordEmulator } from "./index.js";

/** A bare discord.js client logged in to the local Discord, resolved once every guild is available. */
export async function connectClient(
  emulator: DiscordEmulator,
  intents: GatewayIntentBits[] = [GatewayIntentBits.Guilds],
): Promise<Client<true>> {
  const client = new Client({ intents, rest: { api: emulator.apiUrl } });
  const ready = once(client, Events.ClientReady);
  await client.login(emulator.token);
  await ready;
  return client as Client<true>;
}
