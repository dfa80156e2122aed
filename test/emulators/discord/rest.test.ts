import { ChannelType, DiscordAPIError, PermissionFlagsBits, SnowflakeUtil, type Client, type TextChannel } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient } from "./botClient.js";
import { startDiscordEmulator, type DiscordEmulator, type EmulatedGuild } from "./index.js";

let emu: DiscordEmulator;
let bot: Client<true>;
let guild: EmulatedGuild;

async function apiError(promise: Promise<unknown>): Promise<DiscordAPIError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DiscordAPIError) return error;
    throw error;
  }
  throw new Error("expected the request to fail");
}

function textChannel(name: string): TextChannel {
  return bot.channels.cache.get(guild.channels[name]!) as TextChannel;
}

beforeAll(async () => {
  emu = await startDiscordEmulator({
    guilds: [
      {
        name: "Permissions Lab",
        roles: [{ name: "Mods", permissions: PermissionFlagsBits.ManageMessages }],
        members: [{ username: "builderman" }],
        channels: [
          { name: "general" },
          { name: "announcements", overwrites: [{ bot: true, deny: PermissionFlagsBits.SendMessages }] },
          { name: "no-embeds", overwrites: [{ role: "@everyone", deny: PermissionFlagsBits.EmbedLinks }] },
          { name: "Staff", type: ChannelType.GuildCategory, overwrites: [{ role: "@everyone", deny: PermissionFlagsBits.ViewChannel }] },
          { name: "staff-only", parent: "Staff" },
        ],
      },
    ],
  });
  guild = emu.guilds[0]!;
  bot = await connectClient(emu);
});

afterAll(async () => {
  await bot?.destroy();
  await emu?.close();
});

describe("local Discord REST", () => {
  it("mints real snowflakes", () => {
    const ids = [guild.id, guild.channels.general!, guild.members.builderman!, emu.botUserId];
    for (const id of ids) expect(id).toMatch(/^\d{17,19}$/);
    for (const id of ids) expect(SnowflakeUtil.timestampFrom(id)).toBeGreaterThan(Number(SnowflakeUtil.epoch));
    expect(new Set(ids).size).toBe(ids.length);
    expect(BigInt(guild.channels.general!)).toBeGreaterThan(BigInt(guild.id));
  });

  it("posts, reads, edits and deletes channel messages", async () => {
    const general = textChannel("general");
    const sent = await general.send({ content: "Case #1: banned <@" + guild.members.builderman! + ">", allowedMentions: { parse: [] } });
    expect(sent.mentions.users.size).toBe(0);
    expect(emu.messages(general.id).map((m) => m.id)).toEqual([sent.id]);

    const fetched = await general.messages.fetch(sent.id);
    expect(fetched.content).toContain("Case #1");
    const edited = await sent.edit({ content: "Case #1: banned (edited)" });
    expect(edited.editedTimestamp).not.toBeNull();
    expect((await emu.waitForMessage(general.id, (m) => m.content.endsWith("(edited)"))).id).toBe(sent.id);

    await sent.delete();
    expect(emu.messages(general.id)).toEqual([]);
  });

  it("answers 50013 Missing Permissions per overwrites and roles", async () => {
    const denied = await apiError(textChannel("announcements").send("hello"));
    expect(denied.status).toBe(403);
    expect(denied.code).toBe(50013);

    const noEmbeds = textChannel("no-embeds");
    expect((await apiError(noEmbeds.send({ embeds: [{ title: "Ban" }] }))).code).toBe(50013);
    await expect(noEmbeds.send("plain text still works")).resolves.toBeDefined();
  });

  it("answers 50001 Missing Access where the bot cannot see, and 10003 for unknown channels", async () => {
    // A channel created in a category starts with the category's overwrites.
    expect(emu.permissionsIn(guild.channels["staff-only"]!, emu.botUserId) & PermissionFlagsBits.ViewChannel).toBe(0n);
    const hidden = await apiError(bot.rest.post(`/channels/${guild.channels["staff-only"]}/messages`, { body: { content: "hi" } }));
    expect(hidden.code).toBe(50001);
    const unknown = await apiError(bot.rest.post(`/channels/${SnowflakeUtil.generate().toString()}/messages`, { body: { content: "hi" } }));
    expect(unknown.status).toBe(404);
    expect(unknown.code).toBe(10003);
  });

  it("validates message bodies like Discord", async () => {
    const general = textChannel("general");
    const long = await apiError(general.send("x".repeat(2001)));
    expect(long.code).toBe(50035);
    expect(long.rawError).toMatchObject({ errors: { content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH" }] } } });

    const tooMany = await apiError(general.send({ embeds: Array.from({ length: 11 }, () => ({ title: "t" })) }));
    expect(tooMany.rawError).toMatchObject({ errors: { embeds: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH" }] } } });

    const fields = await apiError(general.send({ embeds: [{ fields: Array.from({ length: 26 }, (_, i) => ({ name: `f${i}`, value: "v" })) }] }));
    expect(fields.rawError).toMatchObject({ errors: { embeds: { 0: { fields: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH" }] } } } } });

    const button = { type: 2, style: 1, label: "Go", custom_id: "x".repeat(101) };
    const rows = await apiError(bot.rest.post(`/channels/${general.id}/messages`, {
      body: { content: "rows", components: Array.from({ length: 6 }, () => ({ type: 1, components: [button] })) },
    }));
    expect(rows.rawError).toMatchObject({
      errors: { components: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH" }], 0: { components: { 0: { custom_id: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH" }] } } } } } },
    });

    const empty = await apiError(bot.rest.post(`/channels/${general.id}/messages`, { body: {} }));
    expect(empty.code).toBe(50006);
  });

  it("records unknown routes and answers them like Discord", async () => {
    const missing = await apiError(bot.rest.get("/guilds/1/audit-logs-of-the-future"));
    expect(missing.status).toBe(404);
    expect(missing.rawError).toEqual({ message: "404: Not Found", code: 0 });
    expect(emu.unknownRoutes.map((r) => `${r.method} ${r.path}`)).toContain("GET /guilds/1/audit-logs-of-the-future");

    const wrongMethod = await apiError(bot.rest.put("/users/@me"));
    expect(wrongMethod.status).toBe(405);
    expect(emu.unknownRoutes.map((r) => `${r.method} ${r.path}`)).toContain("PUT /users/@me");
  });

  it("serves the guild, member, role and user reads discord.js makes", async () => {
    const g = bot.guilds.cache.get(guild.id)!;
    const member = await g.members.fetch({ user: guild.members.builderman!, force: true });
    expect(member.user.username).toBe("builderman");
    expect((await g.roles.fetch()).map((r) => r.name)).toEqual(expect.arrayContaining(["@everyone", "Mods"]));
    expect((await bot.users.fetch(guild.members.builderman!, { force: true })).username).toBe("builderman");
    expect((await bot.application.fetch()).id).toBe(emu.applicationId);
    expect((await apiError(g.members.fetch({ user: SnowflakeUtil.generate().toString(), force: true }))).code).toBe(10007);
  });

  it("requires the bot token and sends rate-limit headers", async () => {
    const anonymous = await fetch(`${emu.apiUrl}/v10/users/@me`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ message: "401: Unauthorized", code: 0 });

    const me = await fetch(`${emu.apiUrl}/v10/users/@me`, { headers: { authorization: `Bot ${emu.token}` } });
    expect(me.status).toBe(200);
    for (const header of ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-ratelimit-reset-after", "x-ratelimit-bucket"]) {
      expect(me.headers.get(header)).not.toBeNull();
    }
  });

  it("answers 429 to a client that ignores the headers", async () => {
    const strict = await startDiscordEmulator({ rateLimit: { limit: 2, windowMs: 60_000 } });
    try {
      const call = () => fetch(`${strict.apiUrl}/v10/users/@me`, { headers: { authorization: `Bot ${strict.token}` } });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await call()).status);
      expect(statuses).toEqual([200, 200, 429]);
      const limited = await call();
      expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
      expect(await limited.json()).toMatchObject({ message: "You are being rate limited.", global: false });
    } finally {
      await strict.close();
    }
  });
});
