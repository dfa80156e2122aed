import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  MessageFlags,
  TimestampStyles,
  time,
  type ChatInputCommandInteraction,
  type InteractionEditReplyOptions,
} from "discord.js";
import { cancelBulkRun, readBulkRun } from "../db/bulkRuns.js";
import { describeDuration } from "../services/moderation/banDuration.js";
import { openLinkedById } from "../services/moderation/linkedExperience.js";
import { startBulkRun } from "../services/massModeration/bulkRun.js";
import type { MassListSource } from "../services/massModeration/massList.js";
import { previewBulkRun, type BulkRunPreview } from "../services/massModeration/previewBulkRun.js";
import { clipText } from "../services/clipText.js";
import { UserError } from "../services/userError.js";
import { moderationDeps, type BotContext } from "./botContext.js";
import { readAttachedText } from "./attachments.js";
import type { ComponentHandler } from "./componentHandler.js";
import { encodeCustomId } from "./customIds.js";
import { explain } from "./errorReply.js";

/** Past this many players a preview says so in bold: a list that size deserves a second look. */
const LARGE_RUN = 100;
/** Room for 10,000 entries of a name or an id each, with a second column beside them. */
const MAX_LIST_BYTES = 1024 * 1024;
/** Skipped entries named in the preview; the rest are counted. */
const NAMED_SKIPS = 10;

/** /massban and /massunban: read and look up the list, then show what Confirm would do. Nothing is sent to Roblox. */
export async function answerMassRun(
  interaction: ChatInputCommandInteraction<"cached">,
  context: BotContext,
  action: "ban" | "unban",
): Promise<void> {
  const sources = await listSources(interaction, context);
  if (sources.length === 0) {
    throw new UserError("Give the players in `users` (usernames or ids, separated by spaces, commas or new lines) or as a `file`.");
  }
  const preview = await previewBulkRun(moderationDeps(context), {
    action,
    guildId: interaction.guildId,
    invokerId: interaction.user.id,
    sources,
    experience: interaction.options.getString("experience") ?? undefined,
    duration: interaction.options.getString("duration") ?? undefined,
    reason: interaction.options.getString("reason") ?? undefined,
    publicReason: interaction.options.getString("public_reason") ?? undefined,
    excludeAltAccounts: interaction.options.getBoolean("exclude_alts") ?? false,
  });
  if (preview.players.length === 0) {
    await interaction.editReply({ content: `${describe(preview)}\n\nNobody to ${action}: nothing was sent.`, components: [] });
    return;
  }
  const { token, expiresAt } = await context.bulkRunPreviews.add(interaction.guildId, interaction.user.id, preview);
  await interaction.editReply(renderPreview(preview, token, expiresAt));
}

/** The list as given: typed in `users`, and/or the text of the attached `file` (.txt, or .csv by its first column). */
async function listSources(interaction: ChatInputCommandInteraction<"cached">, context: BotContext): Promise<MassListSource[]> {
  const sources: MassListSource[] = [];
  const users = interaction.options.getString("users");
  if (users !== null) sources.push({ text: users, csv: false });
  const file = interaction.options.getAttachment("file");
  if (file !== null) {
    const kind = /\.(txt|csv)$/i.exec(file.name)?.[1]?.toLowerCase();
    if (kind === undefined) throw new UserError(`\`${clipText(file.name, 60)}\` is not a list: attach a .txt or .csv file.`);
    sources.push({ text: await readAttachedText(file, { cdnUrl: context.discordCdnUrl, maxBytes: MAX_LIST_BYTES }), csv: kind === "csv" });
  }
  return sources;
}

function renderPreview(preview: BulkRunPreview, token: string, expiresAt: Date): InteractionEditReplyOptions {
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(encodeCustomId({ kind: "massRun", action: "start", token }))
      .setLabel(preview.action === "ban" ? `Ban ${preview.players.length}` : `Unban ${preview.players.length}`)
      .setStyle(ButtonStyle.Danger),
    new ButtonBuilder().setCustomId(encodeCustomId({ kind: "massRun", action: "drop", token })).setLabel("Cancel").setStyle(ButtonStyle.Secondary),
  );
  return {
    content: `${describe(preview)}\n\nThese buttons expire ${time(expiresAt, TimestampStyles.RelativeTime)}.`,
    components: [row],
  };
}

function describe(preview: BulkRunPreview): string {
  const count = preview.players.length;
  const headline = `${count} player${count === 1 ? "" : "s"} will be ${preview.action === "ban" ? "banned" : "unbanned"} in ${preview.experienceName}`;
  const lines = [count > LARGE_RUN ? `**${headline}.**` : `${headline}.`];
  if (preview.action === "ban") {
    lines.push(`Duration: ${preview.durationSeconds === null ? "**permanent**" : describeDuration(preview.durationSeconds)}`);
    lines.push(`Alt accounts: ${preview.excludeAltAccounts ? "left alone" : "banned too"}`);
  }
  lines.push(`Reason (staff only): ${clipText(preview.privateReason || "none given", 300)}`);
  if (preview.publicReason !== undefined) lines.push(`Shown to the players: ${clipText(preview.publicReason, 300)}`);
  const { unchanged, unknown, ambiguous, invalid, duplicates } = preview.skipped;
  if (unchanged.length > 0) lines.push(`Skipped, ${preview.action === "ban" ? "already banned" : "not banned"}: ${named(unchanged.map((player) => player.name))}`);
  if (unknown.length > 0) lines.push(`No such Roblox user: ${named(unknown)}`);
  if (ambiguous.length > 0) lines.push(`Skipped, the id of one account and the username of another (write \`id:<id>\` or the name): ${named(ambiguous)}`);
  if (invalid.length > 0) lines.push(`Not a username or user id: ${named(invalid)}`);
  if (duplicates > 0) lines.push(`Duplicates dropped: ${duplicates}`);
  return clipText(lines.join("\n"), 1_900);
}

const named = (entries: readonly string[]) =>
  `${entries.length} (${entries.slice(0, NAMED_SKIPS).map((entry) => `\`${clipText(entry, 32)}\``).join(", ")}${entries.length > NAMED_SKIPS ? ", …" : ""})`;


/**
 * Confirm and Cancel under a preview: only its invoker, in its guild, once.
 * Confirm records the run and hands it to this process's runner; the link
 * and its key are opened again by the run, so a link removed since the
 * preview stops it before anything is sent.
 */
export const massRunButton: ComponentHandler<"massRun"> = {
  kind: "massRun",
  permission: async (id, context, guildId) => (await context.bulkRunPreviews.get(id.token, guildId))?.value.action,
  async handle(interaction, id, context) {
    if (!interaction.isButton()) throw new UserError("This preview is no longer valid.");
    const expired = () => interaction.update({ content: "This preview expired; nothing was sent. Run the command again.", components: [] });
    const pending = await context.bulkRunPreviews.get(id.token, interaction.guildId);
    if (pending === undefined) return void (await expired());
    if (pending.invokerId !== interaction.user.id) {
      await interaction.reply({ content: "Only the moderator who asked for this preview can answer it.", flags: MessageFlags.Ephemeral });
      return;
    }
    // Taken before anything else: of two clicks, here or in another process, only one starts a run.
    const preview = await context.bulkRunPreviews.take(id.token, interaction.guildId, interaction.user.id);
    if (preview === undefined) return void (await expired());
    if (id.action === "drop") {
      await interaction.update({ content: "Cancelled; nothing was sent.", components: [] });
      return;
    }
    try {
      await openLinkedById(context, interaction.guildId, "universe", preview.universeId);
    } catch (error) {
      const text = explain(error);
      if (text === undefined) throw error;
      await interaction.update({ content: `Nothing was sent. ${text}`, components: [] });
      return;
    }
    const run = await startBulkRun(moderationDeps(context), preview, interaction.channelId);
    await interaction.update({ content: `Started: ${preview.players.length} to go. Progress is posted in this channel.`, components: [] });
    context.bulkRunner.start(run);
  },
};

/** The Cancel button of a run's progress message: staff who may do what the run does stop it between two calls. */
export const cancelMassRunButton: ComponentHandler<"cancelMassRun"> = {
  kind: "cancelMassRun",
  permission: async (id, context, guildId) => {
    const run = await readBulkRun(context.db, id.runId);
    return run?.guildId === guildId ? run.action : undefined;
  },
  async handle(interaction, id, context) {
    const run = await readBulkRun(context.db, id.runId);
    if (run?.guildId !== interaction.guildId) {
      await interaction.reply({ content: "This run is not one of this server's.", flags: MessageFlags.Ephemeral });
      return;
    }
    const cancelled = await cancelBulkRun(context.db, run.id, interaction.user.id);
    await interaction.reply({
      content: cancelled
        ? "Cancelled: nothing more is sent. What was applied stays applied; the summary lists every player."
        : "This run has already ended.",
      flags: MessageFlags.Ephemeral,
    });
  },
};
