import {
  ApplicationCommandPermissionType,
  DiscordAPIError,
  Events,
  MessageFlags,
  PermissionFlagsBits,
  Routes,
  SlashCommandBuilder,
  type APIApplicationCommandPermission,
  type ApplicationCommandPermissionsUpdateData,
  type Client,
} from "discord.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectClient } from "./botClient.js";
import { allChannelsPermissionId, startDiscordEmulator, type DiscordEmulator, type EmulatedGuild } from "./index.js";

const { Role, User, Channel } = ApplicationCommandPermissionType;

let emu: DiscordEmulator;
let bot: Client<true>;
let guild: EmulatedGuild;
const updates: ApplicationCommandPermissionsUpdateData[] = [];
const handlerErrors: unknown[] = [];

const guildCommands = [
  new SlashCommandBuilder().setName("lookup").setDescription("Look a player up"),
  new SlashCommandBuilder().setName("ban").setDescription("Ban").setDefaultMemberPermissions(PermissionFlagsBits.BanMembers),
  new SlashCommandBuilder().setName("locked").setDescription("Admins only unless overridden").setDefaultMemberPermissions(0n),
  new SlashCommandBuilder()
    .setName("find")
    .setDescription("Autocompleted")
    .addStringOption((o) => o.setName("query").setDescription("Query").setAutocomplete(true)),
  new SlashCommandBuilder().setName("temp").setDescription("Renamed and deleted in a test"),
].map((c) => c.toJSON());

async function apiError(promise: Promise<unknown>): Promise<DiscordAPIError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DiscordAPIError) return error;
    throw error;
  }
  throw new Error("expected the request to fail");
}

/** "ran" when the member could send the command, else why Discord would not let them. */
async function attempt(user: string, name: string, channel = "general"): Promise<string> {
  try {
    const handle = await emu.runCommand({ guildId: guild.id, channelId: guild.channels[channel]!, userId: guild.members[user]!, name });
    await handle.waitForReply();
    return "ran";
  } catch (error) {
    return (error as Error).message;
  }
}

const role = (name: string, permission: boolean): APIApplicationCommandPermission => ({ id: guild.roles[name]!, type: Role, permission });
const everyone = (permission: boolean): APIApplicationCommandPermission => ({ id: guild.id, type: Role, permission });
const user = (name: string, permission: boolean): APIApplicationCommandPermission => ({ id: guild.members[name]!, type: User, permission });
const channel = (name: string, permission: boolean): APIApplicationCommandPermission => ({ id: guild.channels[name]!, type: Channel, permission });
const allChannels = (permission: boolean): APIApplicationCommandPermission => ({ id: allChannelsPermissionId(guild.id), type: Channel, permission });

beforeAll(async () => {
  emu = await startDiscordEmulator({
    guilds: [
      {
        name: "Integrations",
        roles: [{ name: "Mods", permissions: PermissionFlagsBits.ManageGuild | PermissionFlagsBits.BanMembers }, { name: "Helpers" }, { name: "Muted" }],
        channels: [{ name: "general" }, { name: "staff" }, { name: "bots" }],
        members: [
          { username: "builderman", roles: ["Mods"] },
          { username: "helper", roles: ["Helpers"] },
          { username: "muted_helper", roles: ["Helpers", "Muted"] },
          { username: "guest" },
          { username: "boss", permissions: PermissionFlagsBits.Administrator },
        ],
      },
    ],
  });
  guild = emu.guilds[0]!;
  bot = await connectClient(emu);
  bot.on(Events.ApplicationCommandPermissionsUpdate, (data) => updates.push(data));
  bot.on(Events.InteractionCreate, (interaction) => {
    const answer = interaction.isAutocomplete()
      ? interaction.respond([{ name: "x", value: "x" }])
      : interaction.isChatInputCommand()
        ? interaction.reply({ content: "ok", flags: MessageFlags.Ephemeral })
        : Promise.resolve();
    answer.catch((error: unknown) => handlerErrors.push(error));
  });
  await bot.application.commands.set(guildCommands, guild.id);
  await bot.application.commands.set([new SlashCommandBuilder().setName("about").setDescription("Global").toJSON()]);
});

afterEach(() => {
  // As an admin pressing "Sync" everywhere: no overrides left for the next test.
  for (const entry of emu.commandPermissions(guild.id)) emu.setCommandPermissions(guild.id, entry.id, []);
});

afterAll(async () => {
  await bot?.destroy();
  await emu?.close();
  expect(handlerErrors).toEqual([]);
});

describe("default_member_permissions without overrides", () => {
  it("requires the permissions; \"0\" admits only admins; Administrator and the owner pass", async () => {
    expect(await attempt("builderman", "ban")).toBe("ran");
    expect(await attempt("guest", "ban")).toMatch(/default_member_permissions 4 not held/);
    expect(await attempt("builderman", "locked")).toMatch(/default_member_permissions is "0"/);
    expect(await attempt("boss", "locked")).toBe("ran");
    expect(await attempt("owner", "locked")).toBe("ran");
    expect(await attempt("guest", "lookup")).toBe("ran");
  });
});

describe("command-level user and role overrides", () => {
  it("lets a user entry grant a command past default_member_permissions", async () => {
    emu.setCommandPermissions(guild.id, "locked", [user("guest", true)]);
    expect(await attempt("guest", "locked")).toBe("ran");
    expect(await attempt("helper", "locked")).toMatch(/"0"/);
  });

  it("puts the member's entry before role entries, role entries before @everyone, and any true role entry wins", async () => {
    emu.setCommandPermissions(guild.id, "lookup", [everyone(false), role("Helpers", true), role("Muted", false), user("muted_helper", false)]);
    expect(await attempt("guest", "lookup")).toMatch(/command-level permissions deny it \(the @everyone entry\)/);
    expect(await attempt("helper", "lookup")).toBe("ran");
    expect(await attempt("muted_helper", "lookup")).toMatch(/the member's own entry/);

    emu.setCommandPermissions(guild.id, "lookup", [everyone(true), role("Helpers", true), role("Muted", false)]);
    expect(await attempt("muted_helper", "lookup")).toBe("ran");
    emu.setCommandPermissions(guild.id, "lookup", [everyone(true), role("Muted", false)]);
    expect(await attempt("muted_helper", "lookup")).toMatch(/the entries for the member's roles/);
    expect(await attempt("guest", "lookup")).toBe("ran");
  });

  it("applies to autocomplete as to the command", async () => {
    emu.setCommandPermissions(guild.id, "find", [everyone(false)]);
    await expect(
      emu.autocomplete({ guildId: guild.id, channelId: guild.channels.general!, userId: guild.members.guest!, name: "find", focused: "query", value: "a" }),
    ).rejects.toThrow(/Discord hides \/find/);
  });
});

describe("app-wide overrides", () => {
  it("deny every command without its own entry, and a command-level true overrides them", async () => {
    emu.setCommandPermissions(guild.id, emu.applicationId, [everyone(false)]);
    expect(await attempt("guest", "lookup")).toMatch(/app-level permissions deny it \(the @everyone entry\)/);
    expect(await attempt("builderman", "ban")).toMatch(/app-level/);
    expect(await attempt("guest", "about")).toMatch(/app-level/);

    emu.setCommandPermissions(guild.id, "lookup", [role("Helpers", true)]);
    expect(await attempt("helper", "lookup")).toBe("ran");
    expect(await attempt("guest", "lookup")).toMatch(/app-level/);
  });

  it("grant only together with default_member_permissions", async () => {
    emu.setCommandPermissions(guild.id, emu.applicationId, [everyone(false), user("guest", true)]);
    expect(await attempt("guest", "lookup")).toBe("ran");
    expect(await attempt("guest", "ban")).toMatch(/default_member_permissions 4 not held/);
    expect(await attempt("guest", "locked")).toMatch(/"0"/);
  });
});

describe("channel overrides", () => {
  it("are checked before user and role entries, the channel's own entry before All Channels", async () => {
    emu.setCommandPermissions(guild.id, "lookup", [channel("staff", false), user("guest", true)]);
    expect(await attempt("guest", "lookup", "staff")).toMatch(/the command-level permission for this channel is false/);
    expect(await attempt("guest", "lookup", "general")).toBe("ran");

    emu.setCommandPermissions(guild.id, "lookup", [allChannels(false), channel("bots", true)]);
    expect(await attempt("guest", "lookup", "general")).toMatch(/for all channels is false/);
    expect(await attempt("guest", "lookup", "bots")).toBe("ran");
  });

  it("on the app apply unless the command has a channel entry of its own", async () => {
    emu.setCommandPermissions(guild.id, emu.applicationId, [allChannels(false), channel("bots", true)]);
    expect(await attempt("guest", "lookup", "general")).toMatch(/app-level permission for all channels is false/);
    expect(await attempt("guest", "lookup", "bots")).toBe("ran");

    emu.setCommandPermissions(guild.id, "lookup", [channel("general", true)]);
    expect(await attempt("guest", "lookup", "general")).toBe("ran");
    expect(await attempt("guest", "lookup", "staff")).toMatch(/app-level permission for all channels/);
    // A channel entry that allows does not grant past default_member_permissions.
    emu.setCommandPermissions(guild.id, "ban", [allChannels(true)]);
    expect(await attempt("guest", "ban", "general")).toMatch(/default_member_permissions/);
  });
});

it("lets Administrator use every command whatever the overrides", async () => {
  emu.setCommandPermissions(guild.id, emu.applicationId, [everyone(false), allChannels(false)]);
  emu.setCommandPermissions(guild.id, "locked", [user("boss", false), channel("general", false)]);
  expect(await attempt("boss", "locked")).toBe("ran");
  expect(await attempt("boss", "lookup", "staff")).toBe("ran");
});

describe("the bot's view of command permissions", () => {
  it("gets APPLICATION_COMMAND_PERMISSIONS_UPDATE and reads them back over REST", async () => {
    const lookup = emu.registeredCommands(guild.id).find((c) => c.name === "lookup")!;
    const set = emu.setCommandPermissions(guild.id, lookup.id, [role("Mods", true), everyone(false)]);
    expect(set).toEqual({ id: lookup.id, application_id: emu.applicationId, guild_id: guild.id, permissions: [role("Mods", true), everyone(false)] });
    emu.setCommandPermissions(guild.id, emu.applicationId, [allChannels(false)]);
    await expect.poll(() => updates.map((u) => u.id)).toEqual(expect.arrayContaining([lookup.id, emu.applicationId]));
    expect(updates.find((u) => u.id === lookup.id)).toMatchObject({ guildId: guild.id, applicationId: emu.applicationId });

    const all = await bot.application.commands.permissions.fetch({ guild: guild.id });
    expect([...all.keys()].sort()).toEqual([lookup.id, emu.applicationId].sort());
    expect(all.get(emu.applicationId)).toEqual([{ id: allChannelsPermissionId(guild.id), type: Channel, permission: false }]);

    const one = await bot.application.commands.permissions.fetch({ guild: guild.id, command: lookup.id });
    expect(one).toEqual([role("Mods", true), everyone(false)]);
    const app = await bot.application.commands.permissions.fetch({ guild: guild.id, command: emu.applicationId });
    expect(app).toEqual([allChannels(false)]);
  });

  it("answers 10066 for a command no admin configured and 10063 for no command", async () => {
    const ban = emu.registeredCommands(guild.id).find((c) => c.name === "ban")!;
    const none = await apiError(bot.application.commands.permissions.fetch({ guild: guild.id, command: ban.id }));
    expect([none.status, none.code, none.message]).toEqual([404, 10066, "Unknown application command permissions"]);
    const unknown = await apiError(bot.application.commands.permissions.fetch({ guild: guild.id, command: "1" }));
    expect([unknown.status, unknown.code]).toEqual([404, 10063]);
    expect(await bot.application.commands.permissions.fetch({ guild: guild.id })).toHaveProperty("size", 0);
  });

  it("refuses to let the bot edit them: bot tokens get 20001, and there is no Bearer token to have", async () => {
    const lookup = emu.registeredCommands(guild.id).find((c) => c.name === "lookup")!;
    const route = Routes.applicationCommandPermissions(emu.applicationId, guild.id, lookup.id);
    const denied = await apiError(bot.rest.put(route, { body: { permissions: [everyone(false)] } }));
    expect([denied.status, denied.code, denied.message]).toEqual([403, 20001, "Bots cannot use this endpoint"]);

    const bearer = await fetch(`${emu.apiUrl}/v10${route}`, {
      method: "PUT",
      headers: { authorization: "Bearer not-a-real-token", "content-type": "application/json" },
      body: JSON.stringify({ permissions: [everyone(false)] }),
    });
    expect(bearer.status).toBe(401);
    expect(emu.commandPermissions(guild.id)).toEqual([]);
  });

  it("drops a command's overrides when it is renamed or deleted", async () => {
    const temp = emu.registeredCommands(guild.id).find((c) => c.name === "temp")!;
    emu.setCommandPermissions(guild.id, "temp", [everyone(false)]);
    emu.setCommandPermissions(guild.id, "lookup", [everyone(false)]);
    await bot.application.commands.edit(temp.id, { description: "Still temp" }, guild.id);
    expect(emu.commandPermissions(guild.id).map((p) => p.id)).toContain(temp.id);
    await bot.application.commands.edit(temp.id, { name: "temp2" }, guild.id);
    expect(emu.commandPermissions(guild.id).map((p) => p.id)).not.toContain(temp.id);

    emu.setCommandPermissions(guild.id, "temp2", [everyone(false)]);
    await bot.application.commands.delete(temp.id, guild.id);
    expect(emu.commandPermissions(guild.id).map((p) => p.id)).not.toContain(temp.id);
    expect(emu.commandPermissions(guild.id).map((p) => p.id)).toHaveLength(1);
  });
});

describe("setCommandPermissions input", () => {
  it("takes only what the Integrations screen can express", () => {
    expect(() => emu.setCommandPermissions(guild.id, "nope", [])).toThrow(/no command nope/);
    expect(() => emu.setCommandPermissions(guild.id, "lookup", [{ id: "1", type: Role, permission: true }])).toThrow(/no role 1/);
    expect(() => emu.setCommandPermissions(guild.id, "lookup", [{ id: guild.id, type: User, permission: true }])).toThrow(/not a member/);
    expect(() => emu.setCommandPermissions(guild.id, "lookup", [{ id: guild.id, type: Channel, permission: true }])).toThrow(/guild_id - 1/);
    expect(() => emu.setCommandPermissions(guild.id, "lookup", [everyone(true), everyone(false)])).toThrow(/twice/);
    expect(() => emu.setCommandPermissions(guild.id, "lookup", [{ id: guild.id, type: 4 as ApplicationCommandPermissionType, permission: true }])).toThrow(/ROLE \(1\)/);
    const many = Array.from({ length: 101 }, () => everyone(true));
    expect(() => emu.setCommandPermissions(guild.id, "lookup", many)).toThrow(/at most 100/);
    expect(emu.commandPermissions(guild.id)).toEqual([]);
  });
});
