// Loaded first, as some entry points do: the Open Cloud client's undici 7 then installs the
// process-wide HTTP dispatcher before discord.js's own undici 6 could.
import "../../src/opencloud/index.js";
import { Routes, type APIMessage } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDiscordClient, NO_MENTIONS } from "../../src/discord/client.js";
import { startDiscordEmulator, type DiscordEmulator } from "../emulators/discord/index.js";

/** A file attached to a message (a mass run's summary) reaches Discord whichever HTTP stack loaded first. */
describe("files posted through the bot's REST client", () => {
  let discord: DiscordEmulator;
  beforeAll(async () => {
    discord = await startDiscordEmulator({ guilds: [{ name: "g", roles: [], channels: [{ name: "log" }], members: [{ username: "o" }], owner: "o" }] });
  });
  afterAll(async () => {
    await discord?.close();
  });

  it("are uploaded as multipart, with the body beside them", async () => {
    const client = createDiscordClient(discord.apiUrl, { count: 1, ids: [0] });
    client.rest.setToken(discord.token);
    const channel = discord.guilds[0]?.channels.log ?? "";
    await client.rest.post(Routes.channelMessages(channel), {
      body: { content: "summary", allowed_mentions: NO_MENTIONS, attachments: [{ id: 0, filename: "outcomes.csv" }] },
      files: [{ name: "outcomes.csv", data: Buffer.from("user_id,outcome\n1,applied\n"), contentType: "text/csv" }],
    });
    expect(discord.messages(channel).at(-1)).toMatchObject({ content: "summary", attachments: [{ filename: "outcomes.csv", size: 26 }] });
    await client.destroy();
  });

  it("are served back from the CDN, shown by an embed that names them, and gone with their message", async () => {
    const client = createDiscordClient(discord.apiUrl, { count: 1, ids: [0] });
    client.rest.setToken(discord.token);
    const channel = discord.guilds[0]?.channels.log ?? "";
    const image = Buffer.from("\x89PNG\r\n\x1a\n a picture", "latin1");
    const posted = (await client.rest.post(Routes.channelMessages(channel), {
      body: { embeds: [{ title: "shown", image: { url: "attachment://shot.png" } }], allowed_mentions: NO_MENTIONS, attachments: [{ id: 0, filename: "shot.png" }] },
      files: [{ name: "shot.png", data: image, contentType: "image/png" }],
    })) as APIMessage;
    const [attachment] = posted.attachments;
    expect(attachment?.url.startsWith(`${discord.cdnUrl}/attachments/${channel}/`)).toBe(true);
    expect(posted.embeds[0]?.image?.url).toBe(attachment?.url);
    expect(Buffer.from(await (await fetch(attachment?.url ?? "")).arrayBuffer())).toEqual(image);

    // An edit listing no attachments drops the old file (docs: "Editing Message Attachments").
    await client.rest.patch(Routes.channelMessage(channel, posted.id), { body: { content: "no picture", attachments: [] } });
    expect(discord.message(posted.id)?.attachments).toEqual([]);
    expect((await fetch(attachment?.url ?? "")).status).toBe(404);
    await client.destroy();
  });
});
