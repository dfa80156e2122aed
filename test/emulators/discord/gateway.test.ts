import { once } from "node:events";
import { Client, Events, GatewayIntentBits, GatewayOpcodes, type Guild } from "discord.js";
import { WebSocket } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { waitUntil } from "../../support/waitUntil.js";
import { connectClient } from "./botClient.js";
import { startDiscordEmulator, type DiscordEmulator } from "./index.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emulator(options: Parameters<typeof startDiscordEmulator>[0] = {}): Promise<DiscordEmulator> {
  const emu = await startDiscordEmulator(options);
  cleanups.push(() => emu.close());
  return emu;
}

async function client(emu: DiscordEmulator, intents?: GatewayIntentBits[]): Promise<Client<true>> {
  const c = await connectClient(emu, intents);
  cleanups.push(() => c.destroy());
  return c;
}

describe("local Discord gateway", () => {
  it("logs a real discord.js client in and shows it its guilds, roles, channels and own member", async () => {
    const emu = await emulator({
      guilds: [
        { name: "Roblox Cafe", roles: [{ name: "Mods" }], channels: [{ name: "general" }, { name: "mod-log" }] },
        { name: "Obby Builders" },
      ],
    });
    const bot = await client(emu);

    expect(bot.user.id).toBe(emu.botUserId);
    expect(bot.application.id).toBe(emu.applicationId);
    expect(bot.guilds.cache.map((g) => g.name).sort()).toEqual(["Obby Builders", "Roblox Cafe"]);
    expect(bot.guilds.cache.every((g) => g.available)).toBe(true);
    const cafe = bot.guilds.cache.get(emu.guilds[0]!.id) as Guild;
    expect(cafe.roles.cache.map((r) => r.name)).toEqual(expect.arrayContaining(["@everyone", "Mods", "Warden"]));
    expect(cafe.channels.cache.map((c) => c.name).sort()).toEqual(["general", "mod-log"]);
    expect(cafe.members.me?.id).toBe(emu.botUserId);
    expect(emu.gatewaySessions()).toHaveLength(1);
  });

  it("rejects a wrong token: 401 on REST, close code 4004 on IDENTIFY", async () => {
    const emu = await emulator();
    const bot = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: emu.apiUrl } });
    cleanups.push(() => bot.destroy());
    await expect(bot.login(`${emu.token}x`)).rejects.toThrow(/invalid token/i);

    const socket = new WebSocket(`${emu.gatewayUrl}?v=10&encoding=json`);
    cleanups.push(async () => socket.terminate());
    const [hello] = (await once(socket, "message")) as [Buffer];
    expect(JSON.parse(String(hello))).toMatchObject({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: expect.any(Number) } });
    socket.send(JSON.stringify({ op: GatewayOpcodes.Identify, d: { token: "wrong", intents: 1, properties: {} } }));
    const [code] = (await once(socket, "close")) as [number];
    expect(code).toBe(4004);
    expect(emu.gatewaySessions()).toHaveLength(0);
  });

  it("answers Invalid Session to IDENTIFYs beyond max_concurrency in the identify window", async () => {
    const emu = await emulator({ identifyWindowMs: 60_000 });
    const identify = async () => {
      const socket = new WebSocket(`${emu.gatewayUrl}?v=10&encoding=json`);
      cleanups.push(async () => socket.terminate());
      await once(socket, "message");
      const next = once(socket, "message") as Promise<[Buffer]>;
      socket.send(JSON.stringify({ op: GatewayOpcodes.Identify, d: { token: emu.token, intents: 1, properties: {}, shard: [0, 1] } }));
      const [payload] = await next;
      return JSON.parse(String(payload)) as { op: number; t: string | null; d: unknown };
    };
    expect(await identify()).toMatchObject({ op: GatewayOpcodes.Dispatch, t: "READY" });
    expect(await identify()).toMatchObject({ op: GatewayOpcodes.InvalidSession, d: false });
  });

  it("holds the READY of IDENTIFYs accepted while held until released", async () => {
    const emu = await emulator();
    const release = emu.holdReady();
    const socket = new WebSocket(`${emu.gatewayUrl}?v=10&encoding=json`);
    cleanups.push(async () => socket.terminate());
    await once(socket, "message");
    const seen: { op: number; t: string | null }[] = [];
    socket.on("message", (payload: Buffer) => seen.push(JSON.parse(String(payload)) as { op: number; t: string | null }));
    socket.send(JSON.stringify({ op: GatewayOpcodes.Identify, d: { token: emu.token, intents: 1, properties: {}, shard: [0, 1] } }));
    await waitUntil(() => emu.gatewayCounts().identifies === 1);
    // A heartbeat is still answered: the connection is alive, only the session is not let in yet.
    socket.send(JSON.stringify({ op: GatewayOpcodes.Heartbeat, d: null }));
    await waitUntil(() => seen.length > 0);
    expect(seen).toEqual([expect.objectContaining({ op: GatewayOpcodes.HeartbeatAck })]);
    expect(emu.gatewaySessions()).toHaveLength(0);

    release();
    await waitUntil(() => seen.some((payload) => payload.t === "READY"));
    expect(emu.gatewaySessions()).toHaveLength(1);
  });

  it("dispatches GUILD_CREATE when the bot joins a guild while connected", async () => {
    const emu = await emulator();
    const bot = await client(emu);
    const joined = once(bot, Events.GuildCreate) as Promise<[Guild]>;
    const guild = emu.addGuild({ name: "Late Joiners" });
    const [created] = await joined;
    expect(created.id).toBe(guild.id);
    expect(created.name).toBe("Late Joiners");
  });

  it("resumes the session after the socket is cut, replaying missed events", async () => {
    const emu = await emulator();
    const bot = await client(emu);
    const sessionId = emu.gatewaySessions()[0]!.sessionId;

    const resumed = once(bot, Events.ShardResume);
    expect(emu.dropGatewayConnections()).toBe(1);
    // Joined while the socket was down: RESUME must replay it.
    const guild = emu.addGuild({ name: "Joined While Away" });
    await resumed;

    expect(emu.gatewaySessions().map((s) => s.sessionId)).toEqual([sessionId]);
    await expect.poll(() => bot.guilds.cache.has(guild.id)).toBe(true);
  });

  it("identifies again when its session is gone", async () => {
    const emu = await emulator();
    const bot = await client(emu);
    const before = emu.gatewaySessions()[0]!.sessionId;

    const reidentified = once(bot, Events.ShardReady);
    emu.invalidateGatewaySessions();
    await reidentified;

    const sessions = emu.gatewaySessions();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.sessionId).not.toBe(before);
    expect(sessions[0]!.connected).toBe(true);
  });

  it("acknowledges heartbeats", async () => {
    const emu = await emulator({ heartbeatIntervalMs: 100 });
    const bot = await client(emu);
    // discord.js measures ping from HEARTBEAT to HEARTBEAT_ACK; it stays -1 until an ACK arrives.
    await expect.poll(() => bot.ws.ping).toBeGreaterThanOrEqual(0);
    expect(emu.gatewaySessions()[0]!.connected).toBe(true);
  });

  it("loads 1,000 guilds", async () => {
    const emu = await emulator({
      guilds: Array.from({ length: 1000 }, (_, i) => ({ name: `Community ${i}`, channels: [{ name: "general" }, { name: "mod-log" }] })),
    });
    const bot = await client(emu);
    expect(bot.guilds.cache.size).toBe(1000);
    expect(bot.channels.cache.size).toBe(2000);
  }, 60_000);
});
