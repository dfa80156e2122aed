import { ApplicationCommandOptionType, Events, MessageFlags, type Attachment, type Client } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient } from "./botClient.js";
import { startDiscordEmulator, type DiscordEmulator, type EmulatedGuild } from "./index.js";

/** Discord's signed attachment links (docs: reference.mdx "Signed Attachment CDN URLs"), as a bot downloads a command's file. */
describe("the local Discord's attachment CDN", () => {
  let discord: DiscordEmulator;
  let bot: Client<true>;
  let guild: EmulatedGuild;
  const received = new Map<string, Attachment | null>();

  beforeAll(async () => {
    discord = await startDiscordEmulator({ guilds: [{ name: "Files", members: [{ username: "builderman" }] }] });
    guild = discord.guilds[0] as EmulatedGuild;
    bot = await connectClient(discord);
    bot.on(Events.InteractionCreate, (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      received.set(interaction.id, interaction.options.getAttachment("file"));
      void interaction.reply({ content: "ok", flags: MessageFlags.Ephemeral });
    });
    await bot.application.commands.set(
      [{ name: "upload", description: "Takes a file", options: [{ type: ApplicationCommandOptionType.Attachment, name: "file", description: "A file", required: true }] }],
      guild.id,
    );
  });
  afterAll(async () => {
    await bot?.destroy();
    await discord?.close();
  });

  it("gives a command's attachment a signed link that opens until it expires, and only as signed", async () => {
    const id = discord.uploadAttachment({ filename: "list.txt", content: "raider1\nraider2\n", contentType: "text/plain" });
    const handle = await discord.runCommand({ guildId: guild.id, channelId: guild.channels.general ?? "", userId: guild.members.builderman ?? "", name: "upload", options: { file: id } });
    await handle.waitForCallback();
    const attachment = received.get(handle.id);
    expect(attachment).toMatchObject({ id, name: "list.txt", size: 16, contentType: "text/plain", ephemeral: true });
    const url = new URL(attachment?.url ?? "");
    expect(url.href.startsWith(`${discord.cdnUrl}/`)).toBe(true);
    expect([...url.searchParams.keys()]).toEqual(["ex", "is", "hm"]);

    const opened = await fetch(url);
    expect(opened.status).toBe(200);
    expect(await opened.text()).toBe("raider1\nraider2\n");

    const tampered = new URL(url);
    tampered.searchParams.set("ex", "7fffffff");
    expect((await fetch(tampered)).status).toBe(404);
    expect((await fetch(url.href.split("?")[0] ?? "")).status).toBe(404);

    discord.expireAttachment(id);
    const expired = await fetch(url);
    expect(expired.status).toBe(404);
    expect(await expired.text()).toBe("This content is no longer available.");
  });
});
