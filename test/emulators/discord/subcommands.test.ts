import {
  ApplicationCommandOptionType,
  Events,
  GatewayDispatchEvents,
  InteractionResponseType,
  MessageFlags,
  type APIInteraction,
  type Client,
  type Interaction,
  type RESTPostAPIApplicationCommandsJSONBody,
} from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient } from "./botClient.js";
import { startDiscordEmulator, type DiscordEmulator, type EmulatedGuild } from "./index.js";

// Raw bodies, so that the option-less subcommands really have no `options` key.
const commands: RESTPostAPIApplicationCommandsJSONBody[] = [
  {
    name: "setup",
    description: "Configure",
    options: [
      { type: ApplicationCommandOptionType.Subcommand, name: "show", description: "Show the configuration" },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "experience",
        description: "Link an experience",
        options: [{ type: ApplicationCommandOptionType.String, name: "universe", description: "Universe id", required: true }],
      },
    ],
  },
  {
    name: "config",
    description: "Configuration groups",
    options: [
      {
        type: ApplicationCommandOptionType.SubcommandGroup,
        name: "roles",
        description: "Role settings",
        options: [
          { type: ApplicationCommandOptionType.Subcommand, name: "list", description: "List roles" },
          {
            type: ApplicationCommandOptionType.Subcommand,
            name: "add",
            description: "Add a role",
            options: [{ type: ApplicationCommandOptionType.String, name: "preset", description: "Preset", required: true, autocomplete: true }],
          },
        ],
      },
      { type: ApplicationCommandOptionType.Subcommand, name: "reset", description: "Reset everything" },
    ],
  },
];

let emu: DiscordEmulator;
let bot: Client<true>;
let guild: EmulatedGuild;
const raw = new Map<string, APIInteraction>();
const parsed = new Map<string, { group: string | null; subcommand: string | null }>();
const handlerErrors: unknown[] = [];

async function handle(interaction: Interaction): Promise<void> {
  if (interaction.isAutocomplete()) {
    const where = [interaction.options.getSubcommandGroup(), interaction.options.getSubcommand()].join(" ");
    const typed = interaction.options.getFocused();
    await interaction.respond([{ name: `${where}: ${typed}`, value: typed }]);
    return;
  }
  if (!interaction.isChatInputCommand()) return;
  parsed.set(interaction.id, { group: interaction.options.getSubcommandGroup(false), subcommand: interaction.options.getSubcommand(false) });
  await interaction.reply({ content: "ok", flags: MessageFlags.Ephemeral });
}

beforeAll(async () => {
  emu = await startDiscordEmulator({ guilds: [{ name: "Subcommands", members: [{ username: "builderman" }] }] });
  guild = emu.guilds[0]!;
  bot = await connectClient(emu);
  bot.on(Events.Raw, (packet: { t?: string; d?: APIInteraction }) => {
    if (packet.t === GatewayDispatchEvents.InteractionCreate && packet.d) raw.set(packet.d.id, packet.d);
  });
  bot.on(Events.InteractionCreate, (interaction) => {
    handle(interaction).catch((error: unknown) => handlerErrors.push(error));
  });
  await bot.application.commands.set(commands, guild.id);
});

afterAll(async () => {
  await bot?.destroy();
  await emu?.close();
  expect(handlerErrors).toEqual([]);
});

describe("subcommands without options", () => {
  const where = () => ({ guildId: guild.id, channelId: guild.channels.general!, userId: guild.members.builderman! });

  it("registers them without an options key", () => {
    const setup = emu.registeredCommands(guild.id).find((c) => c.name === "setup")!;
    expect(setup.options?.[0]).toEqual({ type: ApplicationCommandOptionType.Subcommand, name: "show", description: "Show the configuration" });
  });

  it("delivers a subcommand that takes no options", async () => {
    const handle = await emu.runCommand({ ...where(), name: "setup", subcommand: "show" });
    expect((await handle.waitForCallback()).type).toBe(InteractionResponseType.ChannelMessageWithSource);
    const data = (raw.get(handle.id) as Extract<APIInteraction, { data: { options?: unknown } }>).data;
    // `options` is "Present if this option is a group or subcommand" (receiving-and-responding.mdx).
    expect(data.options).toEqual([{ name: "show", type: ApplicationCommandOptionType.Subcommand, options: [] }]);
    expect(data).not.toHaveProperty("resolved");
    expect(parsed.get(handle.id)).toEqual({ group: null, subcommand: "show" });
  });

  it("delivers an option-less subcommand inside a group, and one beside the group", async () => {
    const list = await emu.runCommand({ ...where(), name: "config", subcommandGroup: "roles", subcommand: "list" });
    await list.waitForCallback();
    const listData = (raw.get(list.id) as Extract<APIInteraction, { data: { options?: unknown } }>).data;
    expect(listData.options).toEqual([
      { name: "roles", type: ApplicationCommandOptionType.SubcommandGroup, options: [{ name: "list", type: ApplicationCommandOptionType.Subcommand, options: [] }] },
    ]);
    expect(parsed.get(list.id)).toEqual({ group: "roles", subcommand: "list" });

    const reset = await emu.runCommand({ ...where(), name: "config", subcommand: "reset" });
    await reset.waitForCallback();
    expect(parsed.get(reset.id)).toEqual({ group: null, subcommand: "reset" });
  });

  it("still refuses what the Discord client would not send", async () => {
    await expect(emu.runCommand({ ...where(), name: "setup", subcommand: "show", options: { universe: "1" } })).rejects.toThrow(/no option universe/);
    await expect(emu.runCommand({ ...where(), name: "setup", subcommand: "hide" })).rejects.toThrow(/no subcommand hide/);
    await expect(emu.runCommand({ ...where(), name: "setup" })).rejects.toThrow(/needs a subcommand/);
    await expect(emu.runCommand({ ...where(), name: "config", subcommandGroup: "roles" })).rejects.toThrow(/needs a subcommand/);
    await expect(emu.runCommand({ ...where(), name: "config", subcommandGroup: "channels", subcommand: "list" })).rejects.toThrow(/no subcommand group channels/);
    await expect(emu.runCommand({ ...where(), name: "setup", subcommand: "experience" })).rejects.toThrow(/universe is required/);
  });

  it("autocompletes an option of a subcommand in a group", async () => {
    const choices = await emu.autocomplete({ ...where(), name: "config", subcommandGroup: "roles", subcommand: "add", focused: "preset", value: "mod" });
    expect(choices).toEqual([{ name: "roles add: mod", value: "mod" }]);
    const request = [...raw.values()].at(-1) as Extract<APIInteraction, { data: { options?: unknown } }>;
    expect(request.data.options).toEqual([
      {
        name: "roles",
        type: ApplicationCommandOptionType.SubcommandGroup,
        options: [{ name: "add", type: ApplicationCommandOptionType.Subcommand, options: [{ name: "preset", type: ApplicationCommandOptionType.String, value: "mod", focused: true }] }],
      },
    ]);
    await expect(emu.autocomplete({ ...where(), name: "config", subcommandGroup: "roles", subcommand: "list", focused: "preset", value: "x" })).rejects.toThrow(/no option preset/);
  });
});
