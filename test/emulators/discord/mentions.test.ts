import { PermissionFlagsBits, type Client, type TextChannel } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient } from "./botClient.js";
import { startDiscordEmulator, type DiscordEmulator, type EmulatedGuild } from "./index.js";

let emu: DiscordEmulator;
let bot: Client<true>;
let guild: EmulatedGuild;

beforeAll(async () => {
  emu = await startDiscordEmulator({
    guilds: [
      {
        name: "Mentions Lab",
        roles: [{ name: "Mods" }],
        members: [{ username: "alice", roles: ["Mods"] }, { username: "bob" }, { username: "carol" }],
        channels: [{ name: "general" }, { name: "quiet" }],
      },
      {
        name: "Mentions Lab with Mention Everyone",
        botPermissions: PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.MentionEveryone,
        roles: [{ name: "Mods" }],
        members: [{ username: "dave", roles: ["Mods"] }, { username: "erin" }],
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

const channelIn = (g: EmulatedGuild, name = "general") => bot.channels.cache.get(g.channels[name]!) as TextChannel;
const pingsOf = (messageId: string) => emu.pings.filter((ping) => ping.messageId === messageId).map((ping) => ping.userIds);

describe("mentions in the local Discord", () => {
  it("parses every mention of a channel message sent without allowed_mentions, as far as the bot may make it", async () => {
    const without = emu.guilds[0]!;
    const withPermission = emu.guilds[1]!;
    const content = (g: EmulatedGuild, user: string) => `@everyone <@&${g.roles.Mods}> <@${g.members[user]}>`;

    const plain = await channelIn(without).send(content(without, "bob"));
    expect(emu.message(plain.id)).toMatchObject({ mention_everyone: false, mention_roles: [] });
    expect(emu.message(plain.id)?.mentions.map((user) => user.id)).toEqual([without.members.bob]);
    expect(pingsOf(plain.id)).toEqual([[without.members.bob]]);

    const mighty = await channelIn(withPermission).send(content(withPermission, "erin"));
    expect(emu.message(mighty.id)).toMatchObject({ mention_everyone: true, mention_roles: [withPermission.roles.Mods] });
    expect(pingsOf(mighty.id)[0]?.sort()).toEqual(Object.values(withPermission.members).filter((id) => id !== emu.botUserId).sort());
  });

  it("notifies no one when allowed_mentions parses nothing, on create and on edit", async () => {
    const g = emu.guilds[1]!;
    const content = `@here <@&${g.roles.Mods}> <@${g.members.erin}>`;
    const sent = await channelIn(g).send({ content, allowedMentions: { parse: [] } });
    expect(emu.message(sent.id)).toMatchObject({ mention_everyone: false, mention_roles: [], mentions: [] });
    await sent.edit({ content: `${content} (edited)`, allowedMentions: { parse: [] } });
    expect(pingsOf(sent.id)).toEqual([]);

    // An edit without allowed_mentions parses with the defaults again, whatever the message was created with.
    await sent.edit({ content: `<@${g.members.erin}>`, allowedMentions: undefined });
    expect(pingsOf(sent.id)).toEqual([[g.members.erin]]);
  });

  it("lets listed users through even when parse leaves users out", async () => {
    const bob = guild.members.bob!;
    const carol = guild.members.carol!;
    const sent = await channelIn(guild).send({ content: `<@${bob}> <@${carol}>`, allowedMentions: { users: [carol] } });
    expect(pingsOf(sent.id)).toEqual([[carol]]);
  });
});
