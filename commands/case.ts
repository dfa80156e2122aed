import {
  ApplicationCommandOptionType,
  InteractionContextType,
  PermissionFlagsBits,
  TimestampStyles,
  time,
  type ChatInputCommandInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import { listRecentCases } from "../src/db/cases.js";
import { listLinks } from "../src/db/links.js";
import { moderationDeps, type BotContext } from "../src/discord/botContext.js";
import { buildCaseEmbed } from "../src/discord/caseEmbed.js";
import type { CommandModule } from "../src/discord/commandModule.js";
import { withModLogNote } from "../src/discord/replies.js";
import { editCaseReason, listPlayerCases, showCase } from "../src/services/caseRecords.js";

const caseNumber = {
  type: ApplicationCommandOptionType.Integer,
  name: "number",
  description: "Case number",
  required: true,
  min_value: 1,
  // The column is a PostgreSQL integer: Discord refuses a larger number before it reaches a query.
  max_value: 2_147_483_647,
  autocomplete: true,
} as const;

export const definition = {
  name: "case",
  description: "Read and annotate this server's moderation cases",
  default_member_permissions: String(PermissionFlagsBits.ModerateMembers),
  contexts: [InteractionContextType.Guild],
  options: [
    { type: ApplicationCommandOptionType.Subcommand, name: "show", description: "Show one case", options: [caseNumber] },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "reason",
      description: "Change a case's reason (the mod-log post is updated too)",
      options: [
        caseNumber,
        { type: ApplicationCommandOptionType.String, name: "reason", description: "The new reason", required: true, max_length: 1000 },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "list",
      description: "List a player's cases in this server",
      options: [{ type: ApplicationCommandOptionType.String, name: "user", description: "Roblox username or user id", required: true, max_length: 32 }],
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const ACCESS = { show: "lookup", list: "lookup", reason: "manage_cases" } as const;

export const caseCommand: CommandModule = {
  definition,
  access: (subcommand) =>
    subcommand === "show" || subcommand === "list" || subcommand === "reason" ? { permission: ACCESS[subcommand] } : undefined,

  async execute(interaction, context) {
    switch (interaction.options.getSubcommand()) {
      case "show":
        return show(interaction, context);
      case "reason":
        return reason(interaction, context);
      case "list":
        return list(interaction, context);
    }
  },

  async autocomplete(interaction, context) {
    const typed = String(interaction.options.getFocused());
    return (await listRecentCases(context.db, interaction.guildId, typed, 25)).map((row) => ({
      name: `#${row.number} ${row.action} ${row.robloxUsername ?? row.robloxUserId}`.slice(0, 100),
      value: row.number,
    }));
  },
};

async function show(interaction: ChatInputCommandInteraction<"cached">, context: BotContext) {
  const { row, notes } = await showCase(context.db, interaction.guildId, interaction.options.getInteger("number", true));
  const experienceName = (await listLinks(context.db, interaction.guildId)).find(
    (link) => link.kind === "universe" && link.robloxId === row.universeId,
  )?.displayName;
  const embed = buildCaseEmbed(row, { experienceName, avatarUrl: undefined });
  if (notes.length > 0) {
    embed.addFields({
      name: "Notes",
      value: notes
        .map((note) => `${time(note.createdAt, TimestampStyles.ShortDateTime)} <@${note.authorDiscordId}>: ${note.body}`)
        .join("\n")
        .slice(0, 1024),
    });
  }
  await interaction.editReply({ embeds: [embed] });
}

async function reason(interaction: ChatInputCommandInteraction<"cached">, context: BotContext) {
  const { row, published } = await editCaseReason(moderationDeps(context), {
    guildId: interaction.guildId,
    number: interaction.options.getInteger("number", true),
    reason: interaction.options.getString("reason", true),
    actorId: interaction.user.id,
  });
  await interaction.editReply(withModLogNote(`Case #${row.number}'s reason is now: ${row.privateReason ?? ""}`, published));
}

async function list(interaction: ChatInputCommandInteraction<"cached">, context: BotContext) {
  const { playerId, playerName, rows } = await listPlayerCases(context, interaction.guildId, interaction.options.getString("user", true));
  if (rows.length === 0) {
    await interaction.editReply(`**${playerName}** (\`${playerId}\`) has no cases in this server.`);
    return;
  }
  const lines = rows
    .slice(0, 20)
    .map(
      (row) =>
        `**#${row.number}** ${row.action} · ${row.status} · ${time(row.createdAt, TimestampStyles.ShortDate)} · ${(row.privateReason ?? "").slice(0, 80)}`,
    );
  if (rows.length > 20) lines.push(`…and ${rows.length - 20} older: \`/case show\` reads any of them.`);
  await interaction.editReply(`Cases of **${playerName}** (\`${playerId}\`):\n${lines.join("\n")}`);
}
