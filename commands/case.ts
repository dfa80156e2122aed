import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  EmbedBuilder,
  InteractionContextType,
  PermissionFlagsBits,
  TimestampStyles,
  time,
  type ChatInputCommandInteraction,
  type InteractionEditReplyOptions,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import { MAX_CASE_NUMBER, listRecentCases } from "../src/db/cases.js";
import { listLinks } from "../src/db/links.js";
import { caseAction } from "../src/db/schema.js";
import { moderationDeps, type BotContext } from "../src/discord/botContext.js";
import { CASE_ACTION_NAMES, caseActionWord } from "../src/discord/caseActionNames.js";
import { buildCaseEmbed } from "../src/discord/caseEmbed.js";
import { suggestPlayerChoices } from "../src/discord/autocomplete.js";
import type { CommandModule } from "../src/discord/commandModule.js";
import { playerOption } from "../src/discord/commandOptions.js";
import { stringOption, type CommandRequest } from "../src/discord/commandRequest.js";
import type { ComponentHandler } from "../src/discord/componentHandler.js";
import { MAX_PAGE, encodeCustomId } from "../src/discord/customIds.js";
import { answerNamingPlayer } from "../src/discord/playerChoice.js";
import { withModLogNote } from "../src/discord/replies.js";
import { describeSize, downloadEvidence, evidenceAttachment } from "../src/discord/evidenceFiles.js";
import { shownImage } from "../src/services/evidence/caseEvidence.js";
import {
  NOTE_MAX_CHARACTERS,
  addCaseEvidence,
  addCaseNote,
  editCaseReason,
  listCases,
  readCasesPage,
  showCase,
  type CasesPage,
} from "../src/services/caseRecords.js";
import { clipText } from "../src/services/clipText.js";
import { UserError } from "../src/services/userError.js";

const caseNumber = {
  type: ApplicationCommandOptionType.Integer,
  name: "number",
  description: "Case number",
  required: true,
  min_value: 1,
  max_value: MAX_CASE_NUMBER,
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
      name: "note",
      description: "Add a note to a case (notes are kept as written; the mod-log post shows the latest)",
      options: [
        caseNumber,
        { type: ApplicationCommandOptionType.String, name: "text", description: "The note", required: true, max_length: NOTE_MAX_CHARACTERS },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "evidence",
      description: "Keep a screenshot, clip or log with a case (the mod-log post shows it)",
      options: [
        caseNumber,
        { type: ApplicationCommandOptionType.Attachment, name: "file", description: "An image, a clip (MP4, MOV, WebM), a PDF or a text log; at most 8 MiB", required: true },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "list",
      description: "List this server's cases by player, moderator or action (at least one), newest first",
      options: [
        { ...playerOption, required: false },
        { type: ApplicationCommandOptionType.User, name: "moderator", description: "Cases this Discord member took" },
        {
          type: ApplicationCommandOptionType.String,
          name: "action",
          description: "Only cases of this action",
          choices: caseAction.enumValues.map((value) => ({ name: CASE_ACTION_NAMES[value], value })),
        },
      ],
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const ACCESS = { show: "lookup", list: "lookup", reason: "manage_cases", note: "manage_cases", evidence: "manage_cases" } as const;
const isSubcommand = (name: string | null): name is keyof typeof ACCESS => name !== null && Object.hasOwn(ACCESS, name);

export const caseCommand: CommandModule = {
  definition,
  access: (subcommand) =>
    isSubcommand(subcommand) ? { permission: ACCESS[subcommand] } : undefined,

  async execute(interaction, context) {
    switch (interaction.options.getSubcommand()) {
      case "show":
        return show(interaction, context);
      case "reason":
        return reason(interaction, context);
      case "note":
        return note(interaction, context);
      case "evidence":
        return evidence(interaction, context);
      case "list":
        return answerNamingPlayer(interaction, context, answerCaseList);
    }
  },
  // Only /case list takes a player: a pick between two players carries it on.
  answer: answerCaseList,

  async autocomplete(interaction, context) {
    const focused = interaction.options.getFocused(true);
    if (focused.name === "user") return suggestPlayerChoices(context, focused.value);
    const typed = String(focused.value);
    return (await listRecentCases(context.db, interaction.guildId, typed, 25)).map((row) => ({
      name: clipText(`#${row.number} ${caseActionWord(row.action)} ${row.robloxUsername ?? row.robloxUserId}`, 100),
      value: row.number,
    }));
  },
};

/** The case in full, with its files attached again from the database: Discord's own copies may have expired or gone. */
async function show(interaction: ChatInputCommandInteraction<"cached">, context: BotContext) {
  const { row, notes, evidence } = await showCase(context.db, interaction.guildId, interaction.options.getInteger("number", true));
  const experienceName = (await listLinks(context.db, interaction.guildId)).find(
    (link) => link.kind === "universe" && link.robloxId === row.universeId,
  )?.displayName;
  const embed = buildCaseEmbed(row, { experienceName, avatarUrl: undefined, evidence: { files: evidence, image: shownImage(evidence) } });
  if (notes.length > 0) {
    embed.addFields({
      name: "Notes",
      value: clipText(
        notes.map((note) => `${time(note.createdAt, TimestampStyles.ShortDateTime)} <@${note.authorDiscordId}>: ${note.body}`).join("\n"),
        1024,
      ),
    });
  }
  // Discord's upload limit is per file (10 MiB by default), and a case keeps at most 10 files of 8 MiB: one reply carries them all.
  const files = evidence.map((file) => evidenceAttachment(file, evidence, file.bytes));
  await interaction.editReply({ embeds: [embed], files });
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

async function note(interaction: ChatInputCommandInteraction<"cached">, context: BotContext) {
  const { row, published } = await addCaseNote(moderationDeps(context), {
    guildId: interaction.guildId,
    number: interaction.options.getInteger("number", true),
    text: interaction.options.getString("text", true),
    actorId: interaction.user.id,
  });
  await interaction.editReply(withModLogNote(`Note added to case #${row.number}.`, published));
}

async function evidence(interaction: ChatInputCommandInteraction<"cached">, context: BotContext) {
  const upload = await downloadEvidence(interaction.options.getAttachment("file", true), context.discordCdnUrl);
  const { row, file, published } = await addCaseEvidence(moderationDeps(context), {
    guildId: interaction.guildId,
    number: interaction.options.getInteger("number", true),
    upload,
    actorId: interaction.user.id,
  });
  const name = clipText(file.fileName.replace(/`/g, "'"), 80);
  await interaction.editReply(withModLogNote(`Kept \`${name}\` (${describeSize(file.size)}) as evidence of case #${row.number}.`, published));
}

async function answerCaseList(command: CommandRequest, context: BotContext): Promise<InteractionEditReplyOptions> {
  const action = stringOption(command, "action");
  return renderCasesPage(
    await listCases(context, command.guildId, {
      player: stringOption(command, "user"),
      moderatorId: stringOption(command, "moderator"),
      action: caseAction.enumValues.find((value) => value === action),
    }),
  );
}

/**
 * "Previous" and "Next" of /case list. The id names the filter and the page,
 * nothing else: the page is read afresh from the clicker's own guild, with
 * the permission the router checked, so a forged or foreign id shows no more
 * than `/case list` would.
 */
export const casesPageButton: ComponentHandler<"casesPage"> = {
  kind: "casesPage",
  permission: "lookup",
  async handle(interaction, id, context) {
    if (!interaction.isButton()) throw new UserError("This list is no longer valid. Run /case list again.");
    await interaction.update(renderCasesPage(await readCasesPage(context.db, interaction.guildId, id.filter, id.page)));
  },
};

/** A reason is cut to one line's worth so that a full page stays far inside a message's limits. */
const REASON_CHARACTERS = 120;

function renderCasesPage(listed: CasesPage): InteractionEditReplyOptions {
  const { filter, playerName, rows, page, pages, total } = listed;
  const player = filter.robloxUserId === undefined ? undefined : `**${playerName ?? filter.robloxUserId}** (\`${filter.robloxUserId}\`)`;
  const narrowing = [
    filter.moderatorDiscordId === undefined ? undefined : `moderator <@${filter.moderatorDiscordId}>`,
    filter.action === undefined ? undefined : `action ${CASE_ACTION_NAMES[filter.action]}`,
  ].filter((part) => part !== undefined);
  if (total === 0) {
    const criteria = [player === undefined ? undefined : `player ${player}`, ...narrowing].filter((part) => part !== undefined);
    const content = player !== undefined && narrowing.length === 0 ? `${player} has no cases in this server.` : `No case in this server matches ${criteria.join(", ")}.`;
    return { content, embeds: [], components: [] };
  }
  const lines = rows.map((row) => {
    const who = filter.robloxUserId === undefined ? ` · ${row.robloxUsername ?? row.robloxUserId}` : "";
    const by = filter.moderatorDiscordId === undefined && row.moderatorDiscordId !== null ? ` · by <@${row.moderatorDiscordId}>` : "";
    const reason = row.privateReason ? ` · ${clipText(row.privateReason.replace(/\s+/g, " "), REASON_CHARACTERS)}` : "";
    return `**#${row.number}** ${caseActionWord(row.action)} · ${row.status}${who} · ${time(row.createdAt, TimestampStyles.ShortDate)}${by}${reason}`;
  });
  const embed = new EmbedBuilder()
    .setTitle(clipText(filter.robloxUserId === undefined ? "Cases in this server" : `Cases of ${playerName ?? filter.robloxUserId} (${filter.robloxUserId})`, 256))
    .setDescription(lines.join("\n"))
    .setFooter({ text: `${total} case${total === 1 ? "" : "s"} · page ${page + 1} of ${pages} · /case show reads one in full` });
  if (narrowing.length > 0) embed.addFields({ name: "Only", value: narrowing.join(" · ") });
  const button = (label: string, to: number, disabled: boolean) =>
    new ButtonBuilder()
      .setCustomId(encodeCustomId({ kind: "casesPage", filter, page: to }))
      .setLabel(label)
      .setStyle(ButtonStyle.Secondary)
      .setDisabled(disabled);
  // Past the last page a button can name, the oldest cases are still one `/case show` away.
  const last = Math.min(pages - 1, MAX_PAGE);
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    button("Previous", Math.max(0, page - 1), page === 0),
    button("Next", Math.min(last, page + 1), page >= last),
  );
  return { content: "", embeds: [embed], components: pages > 1 ? [row] : [] };
}
