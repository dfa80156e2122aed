import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  DiscordAPIError,
  Events,
  InteractionResponseType,
  InteractionType,
  LabelBuilder,
  MessageFlags,
  ModalBuilder,
  PermissionFlagsBits,
  Routes,
  SlashCommandBuilder,
  TextInputBuilder,
  TextInputStyle,
  type Client,
  type Interaction,
  type TextChannel,
} from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient } from "./botClient.js";
import { startDiscordEmulator, type DiscordEmulator, type EmulatedGuild } from "./index.js";

/** What the bot under test saw in each interaction, for assertions on the payload discord.js parsed. */
interface Seen {
  channelId: string | null;
  memberPermissions: bigint | undefined;
  appPermissions: bigint;
  locale: string;
  guildLocale: string | null;
  context: number | null;
  guildOwner: string | undefined;
  role?: string;
  user?: string;
  customId?: string;
  /** The message a clicked button was on, as delivered. */
  message?: { id: string; customIds: string[] };
}

const commands = [
  new SlashCommandBuilder()
    .setName("lookup")
    .setDescription("Look a player up")
    .addStringOption((o) => o.setName("user").setDescription("Username or id").setRequired(true).setAutocomplete(true)),
  new SlashCommandBuilder()
    .setName("setup")
    .setDescription("Configure")
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addSubcommand((s) =>
      s.setName("experience").setDescription("Link an experience").addStringOption((o) => o.setName("universe").setDescription("Universe id").setRequired(true)),
    ),
  new SlashCommandBuilder()
    .setName("staff")
    .setDescription("Staff grants")
    .addSubcommand((s) =>
      s
        .setName("grant")
        .setDescription("Grant")
        .addStringOption((o) => o.setName("permission").setDescription("Permission").setRequired(true).addChoices({ name: "ban", value: "ban" }, { name: "lookup", value: "lookup" }))
        .addRoleOption((o) => o.setName("role").setDescription("Role"))
        .addUserOption((o) => o.setName("user").setDescription("User")),
    ),
  new SlashCommandBuilder().setName("review").setDescription("Post a join request for review"),
  new SlashCommandBuilder().setName("twice").setDescription("Acknowledges twice"),
  new SlashCommandBuilder().setName("oversized").setDescription("Posts an embed over the limits"),
  new SlashCommandBuilder().setName("report").setDescription("Defers, edits, follows up and reads its reply back"),
  new SlashCommandBuilder().setName("silent").setDescription("Never answers"),
];

let emu: DiscordEmulator;
let bot: Client<true>;
let guild: EmulatedGuild;
const seen = new Map<string, Seen>();
const apiErrors = new Map<string, DiscordAPIError>();
const handlerErrors: unknown[] = [];

async function handle(interaction: Interaction): Promise<void> {
  if (interaction.inGuild()) {
    seen.set(interaction.id, {
      channelId: interaction.channelId,
      memberPermissions: interaction.memberPermissions?.bitfield,
      appPermissions: interaction.appPermissions.bitfield,
      locale: interaction.locale,
      guildLocale: interaction.guildLocale,
      context: interaction.context,
      guildOwner: interaction.authorizingIntegrationOwners.guildId ?? undefined,
      ...(interaction.isChatInputCommand() && interaction.commandName === "staff"
        ? { role: interaction.options.getRole("role")?.name, user: interaction.options.getUser("user")?.username }
        : {}),
      ...(interaction.isMessageComponent() || interaction.isModalSubmit() ? { customId: interaction.customId } : {}),
      ...(interaction.isMessageComponent()
        ? {
            message: {
              id: interaction.message.id,
              customIds: interaction.message.components.flatMap((row) =>
                "components" in row ? row.components.map((component) => ("customId" in component ? String(component.customId) : "")) : [],
              ),
            },
          }
        : {}),
    });
  }
  if (interaction.isAutocomplete()) {
    const typed = String(interaction.options.getFocused());
    await interaction.respond(["builderman", "builder_bob", "shedletsky"].filter((n) => n.startsWith(typed)).map((n) => ({ name: n, value: n })));
    return;
  }
  if (interaction.isChatInputCommand()) {
    switch (interaction.commandName) {
      case "lookup":
        await interaction.deferReply({ flags: MessageFlags.Ephemeral });
        await interaction.editReply({ content: `Looked up ${interaction.options.getString("user", true)}` });
        return;
      case "staff":
        await interaction.deferReply({ flags: MessageFlags.Ephemeral });
        await interaction.editReply({ content: `Granted ${interaction.options.getString("permission", true)}` });
        return;
      case "setup": {
        const key = new TextInputBuilder().setCustomId("api_key").setStyle(TextInputStyle.Short).setMinLength(10);
        const note = new TextInputBuilder().setCustomId("note").setLabel("Note").setStyle(TextInputStyle.Paragraph).setRequired(false);
        await interaction.showModal(
          new ModalBuilder()
            .setCustomId(`setup:${interaction.options.getString("universe")}`)
            .setTitle("Link experience")
            .addLabelComponents(new LabelBuilder().setLabel("Open Cloud API key").setTextInputComponent(key))
            .addActionRowComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(note)),
        );
        return;
      }
      case "review": {
        const channel = interaction.channel as TextChannel;
        await channel.send({
          embeds: [{ title: "Join request", description: "builderman wants to join", fields: [{ name: "Group", value: "1" }] }],
          components: [
            new ActionRowBuilder<ButtonBuilder>().addComponents(
              new ButtonBuilder().setCustomId("jr:a:1:156").setLabel("Approve").setStyle(ButtonStyle.Success),
              new ButtonBuilder().setCustomId("jr:d:1:156").setLabel("Decline").setStyle(ButtonStyle.Danger),
            ),
          ],
        });
        await interaction.reply({ content: "Posted", flags: MessageFlags.Ephemeral });
        return;
      }
      case "twice":
        await interaction.reply("first");
        try {
          await bot.rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
            body: { type: InteractionResponseType.ChannelMessageWithSource, data: { content: "second" } },
            auth: false,
          });
        } catch (error) {
          if (error instanceof DiscordAPIError) apiErrors.set(interaction.id, error);
        }
        return;
      case "oversized": {
        await interaction.deferReply({ flags: MessageFlags.Ephemeral });
        try {
          await (interaction.channel as TextChannel).send({ embeds: [{ description: "x".repeat(4097) }, { description: "y".repeat(3000) }] });
        } catch (error) {
          if (error instanceof DiscordAPIError) apiErrors.set(interaction.id, error);
        }
        await interaction.editReply("done");
        return;
      }
      case "report": {
        await interaction.deferReply();
        await interaction.editReply({ content: "Report ready", embeds: [{ title: "Cases", description: "3 open" }] });
        await interaction.followUp({ content: "Only you can see this", flags: MessageFlags.Ephemeral });
        const original = await interaction.fetchReply();
        await interaction.followUp(`Original was ${original.content}`);
        return;
      }
      default:
        return;
    }
  }
  if (interaction.isModalSubmit()) {
    await interaction.reply({
      content: `Linked ${interaction.customId.split(":")[1]} with key ending ${interaction.fields.getTextInputValue("api_key").slice(-4)}; note "${interaction.fields.getTextInputValue("note")}"`,
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  if (interaction.isButton()) {
    await interaction.update({ content: `Approved by ${interaction.user.username}`, embeds: interaction.message.embeds, components: [] });
  }
}

beforeAll(async () => {
  emu = await startDiscordEmulator({
    guilds: [
      {
        name: "Roblox Cafe",
        roles: [{ name: "Mods", permissions: PermissionFlagsBits.ManageGuild | PermissionFlagsBits.BanMembers }],
        channels: [{ name: "general" }, { name: "reviews" }],
        members: [{ username: "builderman", roles: ["Mods"] }, { username: "guest" }, { username: "boss", permissions: PermissionFlagsBits.Administrator }],
      },
    ],
  });
  guild = emu.guilds[0]!;
  bot = await connectClient(emu);
  bot.on(Events.InteractionCreate, (interaction) => {
    handle(interaction).catch((error: unknown) => handlerErrors.push(error));
  });
  await bot.application.commands.set(commands.map((c) => c.toJSON()), guild.id);
});

afterAll(async () => {
  await bot?.destroy();
  await emu?.close();
  expect(handlerErrors).toEqual([]);
});

describe("local Discord interactions", () => {
  it("registers commands in bulk with stable ids", async () => {
    const registered = emu.registeredCommands(guild.id);
    expect(registered.map((c) => c.name)).toEqual(["lookup", "setup", "staff", "review", "twice", "oversized", "report", "silent"]);
    expect(registered.every((c) => /^\d{17,19}$/.test(c.id) && c.guild_id === guild.id)).toBe(true);

    const again = await bot.application.commands.set(commands.map((c) => c.toJSON()), guild.id);
    expect([...again.keys()].sort()).toEqual(registered.map((c) => c.id).sort());
    expect(emu.registeredCommands()).toEqual([]);
  });

  it("delivers a slash command with a complete payload and shows a deferred ephemeral reply once edited", async () => {
    const handle = await emu.runCommand({
      guildId: guild.id,
      channelId: guild.channels.general!,
      userId: guild.members.builderman!,
      name: "staff",
      subcommand: "grant",
      options: { permission: "ban", role: guild.roles.Mods!, user: guild.members.guest! },
    });

    expect(await handle.waitForCallback()).toMatchObject({ type: InteractionResponseType.DeferredChannelMessageWithSource, data: { flags: MessageFlags.Ephemeral } });
    const reply = await handle.waitForReply();
    expect(reply.content).toBe("Granted ban");
    expect(handle.ephemeral).toBe(true);
    expect(emu.messages(guild.channels.general!)).toEqual([]);

    const payload = seen.get(handle.id)!;
    expect(payload.channelId).toBe(guild.channels.general);
    expect(payload.role).toBe("Mods");
    expect(payload.user).toBe("guest");
    expect(payload.memberPermissions! & PermissionFlagsBits.BanMembers).toBe(PermissionFlagsBits.BanMembers);
    expect(payload.appPermissions & PermissionFlagsBits.SendMessages).toBe(PermissionFlagsBits.SendMessages);
    expect(payload.locale).toBe("en-US");
    expect(payload.guildLocale).toBe("en-US");
    expect(payload.context).toBe(0);
    expect(payload.guildOwner).toBe(guild.id);

    const callback = emu.requests.find((r) => r.route === "/interactions/:interactionId/:token/callback" && r.path.includes(handle.id))!;
    expect(callback.status).toBe(204);
    expect(callback.headers.authorization).toBeUndefined();
    expect(emu.requests.filter((r) => r.headers.authorization).every((r) => r.headers.authorization === "Bot [redacted]")).toBe(true);
  });

  it("computes member permissions from roles, with Administrator implying all", async () => {
    const guest = await emu.runCommand({ guildId: guild.id, channelId: guild.channels.general!, userId: guild.members.guest!, name: "lookup", options: { user: "x" } });
    const boss = await emu.runCommand({ guildId: guild.id, channelId: guild.channels.general!, userId: guild.members.boss!, name: "lookup", options: { user: "x" } });
    await Promise.all([guest.waitForReply(), boss.waitForReply()]);
    expect(seen.get(guest.id)!.memberPermissions! & PermissionFlagsBits.BanMembers).toBe(0n);
    expect(seen.get(boss.id)!.memberPermissions! & PermissionFlagsBits.BanMembers).toBe(PermissionFlagsBits.BanMembers);
  });

  it("refuses what the Discord client would not send", async () => {
    const where = { guildId: guild.id, channelId: guild.channels.general!, userId: guild.members.guest! };
    await expect(emu.runCommand({ ...where, name: "setup", subcommand: "experience", options: { universe: "1" } })).rejects.toThrow(/default_member_permissions/);
    await expect(emu.runCommand({ ...where, name: "lookup" })).rejects.toThrow(/required/);
    await expect(emu.runCommand({ ...where, name: "staff", subcommand: "grant", options: { permission: "delete_everything" } })).rejects.toThrow(/choices/);
    await expect(emu.runCommand({ ...where, name: "nope" })).rejects.toThrow(/not registered/);
  });

  it("answers autocomplete with the bot's choices", async () => {
    const choices = await emu.autocomplete({
      guildId: guild.id,
      channelId: guild.channels.general!,
      userId: guild.members.builderman!,
      name: "lookup",
      focused: "user",
      value: "build",
    });
    expect(choices).toEqual([
      { name: "builderman", value: "builderman" },
      { name: "builder_bob", value: "builder_bob" },
    ]);
  });

  it("shows a modal and delivers its submission", async () => {
    const where = { guildId: guild.id, channelId: guild.channels.general!, userId: guild.members.builderman! };
    const command = await emu.runCommand({ ...where, name: "setup", subcommand: "experience", options: { universe: "4242" } });
    expect((await command.waitForCallback()).type).toBe(InteractionResponseType.Modal);
    expect(command.modal?.custom_id).toBe("setup:4242");
    await expect(command.waitForReply()).rejects.toThrow(/modal/);

    await expect(emu.submitModal({ ...where, customId: "setup:4242", fields: { api_key: "short" } })).rejects.toThrow(/at least 10/);
    const submit = await emu.submitModal({ ...where, customId: "setup:4242", fields: { api_key: "oc_secret_0123456789" } });
    expect(submit.type).toBe(InteractionType.ModalSubmit);
    expect((await submit.waitForReply()).content).toBe('Linked 4242 with key ending 6789; note ""');
    await expect(emu.submitModal({ ...where, customId: "setup:4242", fields: {} })).rejects.toThrow(/no modal/);
  });

  it("posts an embed with buttons to a channel and handles a click with update", async () => {
    const reviews = guild.channels.reviews!;
    const command = await emu.runCommand({ guildId: guild.id, channelId: reviews, userId: guild.members.builderman!, name: "review" });
    expect((await command.waitForReply()).content).toBe("Posted");

    const posted = await emu.waitForMessage(reviews, (m) => (m.components ?? []).length > 0);
    expect(posted.embeds[0]).toMatchObject({ type: "rich", title: "Join request" });
    const click = await emu.clickButton({ guildId: guild.id, channelId: reviews, userId: guild.members.builderman!, messageId: posted.id, customId: "jr:a:1:156" });
    const updated = await click.waitForReply();
    expect(updated.id).toBe(posted.id);
    expect(updated.content).toBe("Approved by builderman");
    expect(updated.components).toEqual([]);
    expect(emu.messages(reviews).map((m) => m.content)).toEqual(["Approved by builderman"]);
    await expect(emu.clickButton({ userId: guild.members.builderman!, messageId: posted.id, customId: "jr:a:1:156" })).rejects.toThrow(/no button/);
  });

  it("delivers a forged click, on a message of the bot's or on one carrying the forged button, and a forged modal", async () => {
    const reviews = guild.channels.reviews!;
    const where = { guildId: guild.id, channelId: reviews, userId: guild.members.guest! };
    const onCarrier = await emu.forgeClick({ ...where, customId: "jr:a:999:1" });
    expect((await onCarrier.waitForReply()).content).toBe("Approved by guest");
    const carrier = seen.get(onCarrier.id)?.message;
    expect(seen.get(onCarrier.id)?.customId).toBe("jr:a:999:1");
    expect(carrier?.customIds).toEqual(["jr:a:999:1"]);
    // Seen by the forger only: nobody else's channel shows it.
    expect(emu.messages(reviews).map((message) => message.id)).not.toContain(carrier?.id);

    const command = await emu.runCommand({ guildId: guild.id, channelId: reviews, userId: guild.members.builderman!, name: "review" });
    await command.waitForReply();
    const card = await emu.waitForMessage(reviews, (message) => (message.components ?? []).length > 0);
    const onCard = await emu.forgeClick({ ...where, customId: "ban:ok:never-shown", messageId: card.id });
    await onCard.waitForReply();
    expect(seen.get(onCard.id)).toMatchObject({ customId: "ban:ok:never-shown", message: { id: card.id, customIds: ["jr:a:1:156", "jr:d:1:156"] } });

    const modal = await emu.forgeModalSubmit({ ...where, customId: "setup:77", fields: { api_key: "forged-key-1234", note: "hi" } });
    expect((await modal.waitForReply()).content).toBe('Linked 77 with key ending 1234; note "hi"');
    await expect(emu.forgeClick({ ...where, channelId: guild.channels.general!, customId: "x", messageId: card.id })).rejects.toThrow(/no message/);
  });

  it("serves @original and follow-ups on the interaction webhook", async () => {
    const handle = await emu.runCommand({ guildId: guild.id, channelId: guild.channels.general!, userId: guild.members.guest!, name: "report" });
    const reply = await handle.waitForReply();
    expect(reply).toMatchObject({ content: "Report ready", embeds: [{ title: "Cases" }], type: 20 });
    expect(handle.ephemeral).toBe(false);
    const last = await handle.waitForFollowUp((m) => m.content.startsWith("Original was"));
    expect(last.content).toBe("Original was Report ready");
    expect(handle.followUps.map((m) => [m.content, ((m.flags ?? 0) & MessageFlags.Ephemeral) !== 0])).toEqual([
      ["Only you can see this", true],
      ["Original was Report ready", false],
    ]);
    expect(emu.messages(guild.channels.general!).map((m) => m.content)).toEqual(expect.arrayContaining(["Report ready", "Original was Report ready"]));
    expect(emu.messages(guild.channels.general!).map((m) => m.content)).not.toContain("Only you can see this");
  });

  it("answers a second acknowledgement with 40060", async () => {
    const handle = await emu.runCommand({ guildId: guild.id, channelId: guild.channels.general!, userId: guild.members.builderman!, name: "twice" });
    expect((await handle.waitForReply()).content).toBe("first");
    await expect.poll(() => apiErrors.get(handle.id)?.code).toBe(40060);
    expect(apiErrors.get(handle.id)?.status).toBe(400);
  });

  it("rejects an oversized embed with 50035 and the errors object", async () => {
    const handle = await emu.runCommand({ guildId: guild.id, channelId: guild.channels.general!, userId: guild.members.builderman!, name: "oversized" });
    await handle.waitForReply();
    const error = apiErrors.get(handle.id)!;
    expect(error.code).toBe(50035);
    expect(error.rawError).toMatchObject({
      message: "Invalid Form Body",
      errors: {
        embeds: {
          _errors: [{ code: "MAX_EMBED_SIZE_EXCEEDED" }],
          0: { description: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 4096 or fewer in length." }] } },
        },
      },
    });
    expect(emu.messages(guild.channels.general!).filter((m) => m.embeds.some((e) => e.description?.startsWith("xxx")))).toEqual([]);
  });

  it("answers 404 Unknown Webhook for @original before any callback, and 10062 after the deadline", async () => {
    const slow = await startDiscordEmulator({ interactionDeadlineMs: 200, interactionTokenTtlMs: 1000, guilds: [{ name: "Slow", members: [{ username: "mod" }] }] });
    const slowBot = await connectClient(slow);
    try {
      await slowBot.application.commands.set([commands.at(-1)!.toJSON()]);
      const g = slow.guilds[0]!;
      const handle = await slow.runCommand({ guildId: g.id, channelId: g.channels.general!, userId: g.members.mod!, name: "silent" });

      const original = await fetch(`${slow.apiUrl}/v10/webhooks/${slow.applicationId}/${handle.token}/messages/@original`);
      expect(original.status).toBe(404);
      expect(await original.json()).toEqual({ message: "Unknown Webhook", code: 10015 });

      await expect(handle.waitForCallback()).rejects.toThrow(/did not respond/);
      const late = await fetch(`${slow.apiUrl}/v10/interactions/${handle.id}/${handle.token}/callback`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: InteractionResponseType.ChannelMessageWithSource, data: { content: "late" } }),
      });
      expect(await late.json()).toEqual({ message: "Unknown interaction", code: 10062 });

      const answered = await slow.runCommand({ guildId: g.id, channelId: g.channels.general!, userId: g.members.mod!, name: "silent" });
      const callback = await fetch(`${slow.apiUrl}/v10/interactions/${answered.id}/${answered.token}/callback`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: InteractionResponseType.ChannelMessageWithSource, data: { content: "on time" } }),
      });
      expect(callback.status).toBe(204);
      expect(callback.headers.get("content-type")).toBeNull();
      const edit = () =>
        fetch(`${slow.apiUrl}/v10/webhooks/${slow.applicationId}/${answered.token}/messages/@original`, {
          method: "PATCH",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ content: "edited" }),
        });
      expect((await edit()).status).toBe(200);
      // Once the token's lifetime is over, edits fail as with Discord's 15-minute tokens.
      await expect.poll(async () => (await edit()).status, { timeout: 10_000, interval: 200 }).toBe(401);
      expect(await (await edit()).json()).toEqual({ message: "Invalid Webhook Token", code: 50027 });
    } finally {
      await slowBot.destroy();
      await slow.close();
    }
  });

  it("returns the callback response when asked with_response", async () => {
    const handle = await emu.runCommand({ guildId: guild.id, channelId: guild.channels.general!, userId: guild.members.guest!, name: "silent" });
    const response = await fetch(`${emu.apiUrl}/v10/interactions/${handle.id}/${handle.token}/callback?with_response=true`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: InteractionResponseType.ChannelMessageWithSource, data: { content: "hi" } }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { interaction: { id: string; response_message_id: string }; resource: { type: number; message: { id: string; content: string } } };
    expect(body.interaction.id).toBe(handle.id);
    expect(body.resource).toMatchObject({ type: InteractionResponseType.ChannelMessageWithSource, message: { content: "hi" } });
    expect(body.interaction.response_message_id).toBe(body.resource.message.id);
  });

  it("keeps channel types straight", () => {
    expect(bot.channels.cache.get(guild.channels.general!)?.type).toBe(ChannelType.GuildText);
  });
});
