import {
  ApplicationCommandOptionType,
  ChannelType,
  EmbedBuilder,
  InteractionContextType,
  LabelBuilder,
  MessageFlags,
  ModalBuilder,
  PermissionFlagsBits,
  TextInputBuilder,
  TextInputStyle,
  type ChatInputCommandInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import type { LinkKind } from "../src/db/links.js";
import { appealDeps, type BotContext } from "../src/discord/botContext.js";
import type { CommandModule } from "../src/discord/commandModule.js";
import { suggestGroupRoles, suggestLinks } from "../src/discord/autocomplete.js";
import type { ComponentHandler } from "../src/discord/componentHandler.js";
import { encodeCustomId } from "../src/discord/customIds.js";
import { withModLogNote } from "../src/discord/replies.js";
import { checkLinkName, chooseChannels, configureAppeals, describeSetup, linkWithApiKey, unlink } from "../src/services/setup.js";
import { postAppeals } from "../src/services/appeals/postAppeals.js";
import type { AppealSettings } from "../src/db/guilds.js";
import { setGuard } from "../src/db/moderatorPauses.js";
import { configureRanks } from "../src/services/ranks/rankSettings.js";
import { UserError } from "../src/services/userError.js";
import { clipText } from "../src/services/clipText.js";

/** The modal's text input; its label says "API key", the only place a key is ever typed. */
const API_KEY_INPUT = "api_key";
const LOG_CHANNEL_TYPES = [ChannelType.GuildText, ChannelType.GuildAnnouncement] as const;

export const definition = {
  name: "setup",
  description: "Link experiences and groups to this server, and choose Warden's channels",
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  contexts: [InteractionContextType.Guild],
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "experience",
      description: "Link a Roblox experience; a form then asks for its Open Cloud API key",
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: "universe",
          description: "Universe id (Creator Hub -> your experience -> Copy Universe ID)",
          required: true,
          max_length: 20,
        },
        { type: ApplicationCommandOptionType.String, name: "name", description: "A name for it in Warden", max_length: 50 },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "group",
      description: "Link a Roblox group; a form then asks for its Open Cloud API key",
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: "group",
          description: "Group id (the number in the group's URL)",
          required: true,
          max_length: 20,
        },
        { type: ApplicationCommandOptionType.String, name: "name", description: "A name for it in Warden", max_length: 50 },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "channels",
      description: "Choose where Warden posts its mod log and join requests",
      options: [
        { type: ApplicationCommandOptionType.Channel, name: "log", description: "The mod-log channel", channel_types: [...LOG_CHANNEL_TYPES] },
        {
          type: ApplicationCommandOptionType.Channel,
          name: "review",
          description: "Where join requests are posted for review",
          channel_types: [...LOG_CHANNEL_TYPES],
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "ranks",
      description: "Choose a linked group's suspended role and the highest role Warden may assign",
      options: [
        { type: ApplicationCommandOptionType.String, name: "group", description: "A linked group", required: true, autocomplete: true },
        {
          type: ApplicationCommandOptionType.String,
          name: "suspended_role",
          description: "The role /suspend moves a member to",
          required: true,
          autocomplete: true,
        },
        {
          type: ApplicationCommandOptionType.String,
          name: "max_role",
          description: "The highest role Warden may assign",
          required: true,
          autocomplete: true,
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "guard",
      description: "Pause a member who bans, mass-bans, ranks or suspends more than this in a short time",
      options: [
        {
          type: ApplicationCommandOptionType.Integer,
          name: "actions",
          description: "How many such actions a member may take in the window (0 turns the guard off; default 10)",
          required: true,
          min_value: 0,
          max_value: 100,
        },
        {
          type: ApplicationCommandOptionType.Integer,
          name: "seconds",
          description: "The window, in seconds (default 60)",
          min_value: 10,
          max_value: 3600,
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "appeals",
      description: "Choose where players' ban appeals are posted, and turn appeals on or off",
      options: [
        {
          type: ApplicationCommandOptionType.Channel,
          name: "channel",
          description: "Where appeals are posted for staff with unban",
          required: true,
          channel_types: [...LOG_CHANNEL_TYPES],
        },
        { type: ApplicationCommandOptionType.Boolean, name: "enabled", description: "Whether players may appeal this server's bans", required: true },
        {
          type: ApplicationCommandOptionType.Integer,
          name: "cooldown_days",
          description: "Days a player whose appeal was declined waits to appeal that ban again (default 30)",
          min_value: 0,
          max_value: 365,
        },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: "show", description: "Show what is linked and where Warden posts" },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "remove",
      description: "Unlink an experience or group and forget its API key",
      options: [
        { type: ApplicationCommandOptionType.String, name: "experience", description: "A linked experience", autocomplete: true },
        { type: ApplicationCommandOptionType.String, name: "group", description: "A linked group", autocomplete: true },
      ],
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const SUBCOMMANDS = new Set(["experience", "group", "channels", "ranks", "guard", "appeals", "show", "remove"]);

export const setup: CommandModule = {
  definition,
  access: (subcommand) =>
    subcommand !== null && SUBCOMMANDS.has(subcommand)
      ? { permission: "configure", opensModal: subcommand === "experience" || subcommand === "group" }
      : undefined,

  async execute(interaction, context) {
    switch (interaction.options.getSubcommand()) {
      case "experience":
        return askForApiKey(interaction, context, "universe", interaction.options.getString("universe", true));
      case "group":
        return askForApiKey(interaction, context, "group", interaction.options.getString("group", true));
      case "channels":
        return setChannels(interaction, context);
      case "ranks":
        return chooseRanks(interaction, context);
      case "guard":
        return chooseGuard(interaction, context);
      case "appeals":
        return chooseAppeals(interaction, context);
      case "show":
        return show(interaction, context);
      case "remove":
        return remove(interaction, context);
    }
  },

  autocomplete(interaction, context) {
    const focused = interaction.options.getFocused(true);
    if (focused.name === "suspended_role" || focused.name === "max_role") {
      return suggestGroupRoles(context, interaction.guildId, interaction.options.getString("group") ?? undefined, focused.value);
    }
    return suggestLinks(context, interaction.guildId, focused.name === "group" ? "group" : "universe", focused.value);
  },
};

async function askForApiKey(interaction: ChatInputCommandInteraction<"cached">, context: BotContext, kind: LinkKind, robloxId: string) {
  const trimmedId = robloxId.trim();
  if (!/^[0-9]{1,20}$/.test(trimmedId)) {
    throw new UserError(`\`${robloxId}\` is not a ${kind === "universe" ? "universe" : "group"} id: it is a number.`);
  }
  const name = interaction.options.getString("name") ?? undefined;
  // Refused before the key is pasted; the form's submit checks again against the links as they are then.
  await checkLinkName(context.db, interaction.guildId, kind, trimmedId, name);
  const modal = new ModalBuilder()
    .setCustomId(encodeCustomId({ kind: "setupKey", target: kind, id: trimmedId, name }))
    .setTitle(kind === "universe" ? `Link experience ${trimmedId}` : `Link group ${trimmedId}`)
    .addLabelComponents(
      new LabelBuilder()
        .setLabel("API key")
        .setDescription(
          kind === "universe"
            ? "Needs universe.user-restriction read + write for this experience"
            : "Needs group read + write for this group",
        )
        .setTextInputComponent(
          new TextInputBuilder().setCustomId(API_KEY_INPUT).setStyle(TextInputStyle.Paragraph).setRequired(true).setMaxLength(4000),
        ),
    );
  await interaction.showModal(modal);
}

/** The API-key form's submit: probe the key, store it sealed, answer with its fingerprint only. */
export const setupKeyModal: ComponentHandler<"setupKey"> = {
  kind: "setupKey",
  permission: "configure",
  async handle(interaction, id, context) {
    if (!interaction.isModalSubmit()) throw new UserError("This form is no longer valid. Run /setup again.");
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const linked = await linkWithApiKey(context, {
      guildId: interaction.guildId,
      actorId: interaction.user.id,
      kind: id.target,
      robloxId: id.id,
      name: id.name,
      apiKey: interaction.fields.getTextInputValue(API_KEY_INPUT),
    });
    const what = linked.kind === "universe" ? "experience" : "group";
    const summary = `Linked ${what} **${linked.displayName}** (\`${linked.robloxId}\`) with API key \`${linked.fingerprint}\`.`;
    const outcome = await context.modLog.configChanged(interaction.guildId, { actorId: interaction.user.id, summary });
    await interaction.editReply(
      withModLogNote(`${summary}\nThe key is stored encrypted; Warden will only ever show its fingerprint.`, outcome),
    );
  },
};

async function setChannels(interaction: ChatInputCommandInteraction<"cached">, context: BotContext) {
  const log = interaction.options.getChannel("log", false, [...LOG_CHANNEL_TYPES]);
  const review = interaction.options.getChannel("review", false, [...LOG_CHANNEL_TYPES]);
  await chooseChannels(context.db, interaction.guildId, {
    modLogChannelId: log?.id,
    reviewChannelId: review?.id,
  });
  const parts = [log && `mod log -> <#${log.id}>`, review && `join-request review -> <#${review.id}>`].filter(Boolean);
  const summary = `Channels set: ${parts.join(", ")}.`;
  // Posting the change is also the test that Warden can write in the new log channel.
  const outcome = await context.modLog.configChanged(interaction.guildId, { actorId: interaction.user.id, summary });
  await interaction.editReply(withModLogNote(summary, outcome));
}

async function chooseRanks(interaction: ChatInputCommandInteraction<"cached">, context: BotContext) {
  const chosen = await configureRanks(context, {
    guildId: interaction.guildId,
    group: interaction.options.getString("group", true),
    suspendedRole: interaction.options.getString("suspended_role", true),
    maxRole: interaction.options.getString("max_role", true),
  });
  const summary =
    `Ranks for group **${chosen.groupName}** (\`${chosen.groupId}\`): /suspend moves members to ${chosen.suspendedRole}; ` +
    `Warden assigns roles up to ${chosen.maxRole}.`;
  const outcome = await context.modLog.configChanged(interaction.guildId, { actorId: interaction.user.id, summary });
  await interaction.editReply(withModLogNote(summary, outcome));
}

async function chooseGuard(interaction: ChatInputCommandInteraction<"cached">, context: BotContext) {
  const actions = interaction.options.getInteger("actions", true);
  const seconds = interaction.options.getInteger("seconds") ?? 60;
  await setGuard(context.db, interaction.guildId, actions, seconds);
  const summary =
    actions === 0
      ? "Guard off: no member is paused however many bans, mass bans, rank changes and suspensions they make."
      : `Guard: a member who makes more than ${actions} bans, mass bans, rank changes and suspensions in ${seconds} s is paused until \`/staff release\`.`;
  const outcome = await context.modLog.configChanged(interaction.guildId, { actorId: interaction.user.id, summary });
  await interaction.editReply(withModLogNote(summary, outcome));
}

async function chooseAppeals(interaction: ChatInputCommandInteraction<"cached">, context: BotContext) {
  const channel = interaction.options.getChannel("channel", true, [...LOG_CHANNEL_TYPES]);
  const enabled = interaction.options.getBoolean("enabled", true);
  if (enabled) {
    // The proof that appeals can be posted there, before anything is stored: a channel Warden can't write in would hide them.
    const check = await context.appealBoard.announce(
      channel.id,
      "Players' ban appeals are posted here, with Accept (unban) and Decline buttons for members with Warden's `unban` permission.",
    );
    if (!check.posted) throw new UserError(`Nothing was changed. ${check.problem}`);
  }
  const settings = await configureAppeals(context.db, interaction.guildId, {
    channelId: channel.id,
    enabled,
    cooldownDays: interaction.options.getInteger("cooldown_days") ?? undefined,
  });
  const summary = enabled
    ? `Appeals on: posted to <#${channel.id}>; a player whose appeal is declined may appeal the same ban again after ${days(settings.cooldownDays)}.`
    : `Appeals off: players can't appeal this server's bans. <#${channel.id}> is kept for when they are turned on.`;
  const outcome = await context.modLog.configChanged(interaction.guildId, { actorId: interaction.user.id, summary });
  // Appeals sent while no channel was set are posted now rather than at the next sweep.
  const backlog = enabled ? await postAppeals(appealDeps(context), { guildId: interaction.guildId }) : 0;
  const lines = [
    summary,
    enabled ? appealPageNote(context) : undefined,
    backlog > 0 ? `Posted ${backlog} appeal${backlog === 1 ? "" : "s"} that were waiting for a channel.` : undefined,
  ];
  await interaction.editReply(withModLogNote(lines.filter(Boolean).join("\n"), outcome));
}

/**
 * Where players appeal, or why they can't yet. The settings are stored either
 * way: the variables are the operator's to set, not the configurer's, and
 * the guild's choice takes effect the moment they are, with no second /setup.
 */
function appealPageNote(context: BotContext): string {
  if ("url" in context.appealPage) return `Players appeal at ${context.appealPage.url}`;
  const missing = context.appealPage.missing.map((name) => `\`${name}\``).join(", ");
  return (
    `⚠️ Players can't appeal yet: this Warden runs without ${missing}. ` +
    "Whoever runs Warden must set them and restart it; these settings apply as soon as they do."
  );
}

const days = (count: number) => (count === 0 ? "no wait" : `${count} day${count === 1 ? "" : "s"}`);

async function show(interaction: ChatInputCommandInteraction<"cached">, context: BotContext) {
  const { channels, appeals, links } = await describeSetup(context.db, interaction.guildId);
  const describe = (kind: LinkKind) =>
    links
      .filter((link) => link.kind === kind)
      .map(
        (link) =>
          `**${link.displayName}** \`${link.robloxId}\` key \`${link.fingerprint}\` (by <@${link.createdBy}>)` +
          (link.keyProblem === null ? "" : `\n⚠️ The key ${link.keyProblem}.`),
      )
      .join("\n") || "none";
  const embed = new EmbedBuilder()
    .setTitle("Warden setup")
    .addFields(
      { name: "Mod log", value: channels.modLogChannelId ? `<#${channels.modLogChannelId}>` : "not set", inline: true },
      { name: "Join-request review", value: channels.reviewChannelId ? `<#${channels.reviewChannelId}>` : "not set", inline: true },
      { name: "Appeals", value: describeAppeals(appeals, context) },
      { name: "Experiences", value: clipText(describe("universe"), 1024) },
      { name: "Groups", value: clipText(describe("group"), 1024) },
    );
  await interaction.editReply({ embeds: [embed] });
}

function describeAppeals(appeals: AppealSettings, context: BotContext): string {
  const channel = appeals.channelId === null ? "no channel" : `<#${appeals.channelId}>`;
  const state = appeals.enabled ? `on, posted to ${channel}` : `off (${channel})`;
  const unreachable = appeals.enabled && "missing" in context.appealPage ? `\n${appealPageNote(context)}` : "";
  return `${state}; cooling-off after a decline: ${days(appeals.cooldownDays)}${unreachable}`;
}

async function remove(interaction: ChatInputCommandInteraction<"cached">, context: BotContext) {
  const experience = interaction.options.getString("experience");
  const group = interaction.options.getString("group");
  if ((experience === null) === (group === null)) {
    throw new UserError("Choose either an `experience` or a `group` to remove (one of them).");
  }
  const [kind, typed]: [LinkKind, string] = experience !== null ? ["universe", experience] : ["group", group ?? ""];
  const removed = await unlink(context.db, interaction.guildId, kind, typed);
  const summary =
    `Unlinked ${kind === "universe" ? "experience" : "group"} **${removed.displayName}** (\`${removed.robloxId}\`) ` +
    "and deleted its stored API key.";
  const outcome = await context.modLog.configChanged(interaction.guildId, { actorId: interaction.user.id, summary });
  await interaction.editReply(withModLogNote(summary, outcome));
}
