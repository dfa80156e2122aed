import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  DiscordAPIError,
  EmbedBuilder,
  RESTJSONErrorCodes,
  Routes,
  TimestampStyles,
  time,
  type Client,
} from "discord.js";
import { setProgressMessage, type BulkRunRow } from "../db/bulkRuns.js";
import type { Database } from "../db/connection.js";
import { getGuildChannels } from "../db/guilds.js";
import type { Logger } from "../log.js";
import type { BulkRunBoard, BulkRunOutcome, BulkRunProgress } from "../services/ports.js";
import { NO_MENTIONS } from "./client.js";
import { encodeCustomId } from "./customIds.js";
import { createdMessage } from "./discordMessages.js";

const RUNNING_COLOUR = 0x5865f2;
const DONE_COLOUR = 0x57f287;
const CANCELLED_COLOUR = 0xfee75c;
/** Outcomes listed in the summary itself; the attached file always has them all. */
const LISTED_FAILURES = 10;

/** A mass run's messages: the progress message in the channel it was started from, the summary in the mod log. */
export function createBulkRunBoard(client: Client, db: Database, logger: Logger): BulkRunBoard {
  return {
    async showProgress(run, progress) {
      const body = {
        embeds: [progressEmbed(run, progress).toJSON()],
        components: progress.state === "running" ? [cancelRow(run).toJSON()] : [],
        allowed_mentions: NO_MENTIONS,
      };
      try {
        if (run.progressMessageId !== null) {
          try {
            await client.rest.patch(Routes.channelMessage(run.channelId, run.progressMessageId), { body });
            return;
          } catch (error) {
            // Deleted by hand: the run goes on and shows itself again.
            if (!(error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMessage)) throw error;
          }
        }
        const message = createdMessage.parse(await client.rest.post(Routes.channelMessages(run.channelId), { body }));
        await setProgressMessage(db, run.id, message.id);
      } catch (error) {
        if (!(error instanceof DiscordAPIError)) throw error;
        logger.warn({ err: error, runId: run.id }, "could not show a mass run's progress");
      }
    },

    async postSummary(run, progress, outcomes) {
      const { modLogChannelId } = await getGuildChannels(db, run.guildId);
      if (modLogChannelId === null) return;
      const name = `mass-${run.action}-${run.id.slice(0, 8)}.csv`;
      try {
        await client.rest.post(Routes.channelMessages(modLogChannelId), {
          body: { embeds: [summaryEmbed(run, progress, outcomes).toJSON()], allowed_mentions: NO_MENTIONS, attachments: [{ id: 0, filename: name }] },
          files: [{ name, data: Buffer.from(outcomesCsv(outcomes), "utf8"), contentType: "text/csv" }],
        });
      } catch (error) {
        if (!(error instanceof DiscordAPIError)) throw error;
        logger.warn({ err: error, runId: run.id }, "could not post a mass run's summary to the mod log");
      }
    },
  };
}

function progressEmbed(run: BulkRunRow, progress: BulkRunProgress): EmbedBuilder {
  const verb = run.action === "ban" ? "Mass ban" : "Mass unban";
  const state =
    progress.state === "running" ? "running" : progress.state === "cancelled" ? `cancelled by <@${progress.cancelledBy ?? run.invokerId}>` : "finished";
  const lines = [
    `**${progress.applied}** applied · **${progress.failed}** failed · **${progress.remaining}** remaining of ${progress.total}`,
    `${Math.round(progress.perMinute)} a minute` +
      (progress.estimatedEnd === undefined ? "" : ` · done ${time(progress.estimatedEnd, TimestampStyles.RelativeTime)}`),
    `Started by <@${run.invokerId}>`,
  ];
  return new EmbedBuilder()
    .setTitle(`${verb} in ${run.experienceName}: ${state}`)
    .setDescription(lines.join("\n"))
    .setColor(progress.state === "running" ? RUNNING_COLOUR : progress.state === "finished" ? DONE_COLOUR : CANCELLED_COLOUR);
}

function cancelRow(run: BulkRunRow) {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(encodeCustomId({ kind: "cancelMassRun", runId: run.id })).setLabel("Cancel").setStyle(ButtonStyle.Secondary),
  );
}

function summaryEmbed(run: BulkRunRow, progress: BulkRunProgress, outcomes: readonly BulkRunOutcome[]): EmbedBuilder {
  const count = (outcome: BulkRunOutcome["outcome"]) => outcomes.filter((entry) => entry.outcome === outcome).length;
  const failures = outcomes.filter((entry) => entry.outcome === "failed").slice(0, LISTED_FAILURES);
  const lines = [
    `**${count("applied")}** applied · **${count("failed")}** failed · **${count("not sent")}** not sent · **${count("skipped")}** skipped`,
    `By <@${run.invokerId}>` + (progress.state === "cancelled" ? ` · cancelled by <@${progress.cancelledBy ?? run.invokerId}>` : ""),
    `Reason: ${run.privateReason || "none given"}`,
    ...failures.map((entry) => `Failed: ${entry.name} (${entry.userId}): ${entry.detail}`),
    "Every entry's outcome is in the attached file.",
  ];
  return new EmbedBuilder()
    .setTitle(`${run.action === "ban" ? "Mass ban" : "Mass unban"} in ${run.experienceName}`)
    .setDescription(lines.join("\n").slice(0, 4_000))
    .setColor(progress.state === "finished" ? DONE_COLOUR : CANCELLED_COLOUR);
}

/** One row per entry; a cell that could start a formula in a spreadsheet is quoted harmless. */
function outcomesCsv(outcomes: readonly BulkRunOutcome[]): string {
  const cell = (text: string) => {
    const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return /[",\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  return ["user_id,name,outcome,detail", ...outcomes.map((entry) => [entry.userId, entry.name, entry.outcome, entry.detail].map(cell).join(","))].join("\n") + "\n";
}
