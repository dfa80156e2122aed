import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  TimestampStyles,
  time,
  type ChatInputCommandInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import { suggestLinks } from "../src/discord/autocomplete.js";
import { moderationDeps, reviewDeps, type BotContext } from "../src/discord/botContext.js";
import type { CommandModule } from "../src/discord/commandModule.js";
import type { ComponentHandler } from "../src/discord/componentHandler.js";
import { encodeCustomId } from "../src/discord/customIds.js";
import { withModLogNote } from "../src/discord/replies.js";
import { withDecision } from "../src/discord/reviewBoard.js";
import { decideJoinRequest } from "../src/services/joinRequests/decideJoinRequest.js";
import { decideAll, openQueue, type BulkProgress } from "../src/services/joinRequests/decideAll.js";
import { describeRules } from "../src/services/joinRequests/joinRules.js";
import { postPendingRequests } from "../src/services/joinRequests/postPendingRequests.js";
import { openLinked } from "../src/services/moderation/linkedExperience.js";
import { updateJoinRules } from "../src/services/joinRequests/updateJoinRules.js";
import { UserError } from "../src/services/userError.js";

const groupOption = {
  type: ApplicationCommandOptionType.String,
  name: "group",
  description: "Which linked group",
  autocomplete: true,
} as const;

export const definition = {
  name: "joinrequests",
  description: "Review a linked group's join requests",
  default_member_permissions: String(PermissionFlagsBits.ModerateMembers),
  contexts: [InteractionContextType.Guild],
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "review",
      description: "Post the group's open join requests to the review channel",
      options: [groupOption],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "bulk",
      description: "Approve or decline every posted request still open, after a confirmation",
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: "decision",
          description: "What to do with all of them",
          required: true,
          choices: [
            { name: "approve", value: "accept" },
            { name: "decline", value: "decline" },
          ],
        },
        groupOption,
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "rules",
      description: "Show or change the rules that decide the obvious requests",
      options: [
        groupOption,
        {
          type: ApplicationCommandOptionType.Integer,
          name: "min_account_age",
          description: "Decline accounts younger than this many days (0: off)",
          min_value: 0,
          max_value: 3650,
        },
        { type: ApplicationCommandOptionType.Boolean, name: "decline_banned", description: "Decline players banned in a linked experience" },
        { type: ApplicationCommandOptionType.Boolean, name: "auto_accept", description: "Accept requests no rule flags (default off)" },
      ],
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const joinRequests: CommandModule = {
  definition,
  access: (subcommand) =>
    subcommand === "review" || subcommand === "bulk"
      ? { permission: "review_join_requests" }
      : subcommand === "rules"
        ? { permission: "configure" }
        : undefined,

  async execute(interaction, context) {
    if (interaction.options.getSubcommand() === "rules") return rules(interaction, context);
    if (interaction.options.getSubcommand() === "bulk") return askBulk(interaction, context);
    const group = await openLinked(context, interaction.guildId, "group", interaction.options.getString("group") ?? undefined);
    const report = await postPendingRequests(reviewDeps(context, interaction.client.user.id), interaction.guildId, group);
    const count = report.morePending ? `More than ${report.pending}` : String(report.pending);
    const waiting = `${count} join request${report.pending === 1 && !report.morePending ? "" : "s"} waiting in ${report.groupName}`;
    const posted =
      report.posted === 0
        ? "nothing new to post"
        : `posted ${report.posted} new to the review channel${report.decidedByRules > 0 ? `, ${report.decidedByRules} decided by the rules` : ""}`;
    const more = report.morePending ? "\nThe rest are posted by the next run: run this again, or let the next poll do it." : "";
    await interaction.editReply(`${waiting}; ${posted}.${more}${report.problem ? `\n-# ${report.problem}` : ""}`);
  },

  autocomplete(interaction, context) {
    return suggestLinks(context, interaction.guildId, "group", String(interaction.options.getFocused()));
  },
};

/** Approve / Decline: re-checked against the guild's links, decided once, the card edited to say by whom. */
export const joinRequestButton: ComponentHandler<"joinRequest"> = {
  kind: "joinRequest",
  permission: "review_join_requests",
  async handle(interaction, id, context) {
    if (!interaction.isButton()) throw new UserError("This form is no longer valid.");
    await interaction.deferUpdate();
    let result;
    try {
      result = await decideJoinRequest(moderationDeps(context), {
        guildId: interaction.guildId,
        groupId: id.groupId,
        userId: id.userId,
        decision: id.decision,
        actorId: interaction.user.id,
      });
    } catch (error) {
      // The card stays as it is; only the clicker hears why nothing happened.
      if (!(error instanceof UserError)) throw error;
      await interaction.followUp({ content: error.message, flags: MessageFlags.Ephemeral });
      return;
    }
    if (result.outcome === "failed") {
      await interaction.followUp({ content: `Nothing was decided: ${result.reason}`, flags: MessageFlags.Ephemeral });
      return;
    }
    const verdict =
      result.outcome === "gone"
        ? "No longer exists in Roblox (handled elsewhere or withdrawn)"
        : `${result.review.state === "accepted" ? "Approved" : "Declined"} by <@${interaction.user.id}> ${time(result.review.decidedAt ?? new Date(), TimestampStyles.RelativeTime)}`;
    await interaction.editReply(withDecision(interaction.message.embeds[0]?.toJSON(), `${verdict} · case #${result.row.number}`));
  },
};

async function rules(interaction: ChatInputCommandInteraction<"cached">, context: BotContext) {
  const options = interaction.options;
  const { groupName, rules: now, changed } = await updateJoinRules(context, interaction.guildId, options.getString("group") ?? undefined, {
    minAccountAgeDays: options.getInteger("min_account_age") ?? undefined,
    declineBannedPlayers: options.getBoolean("decline_banned") ?? undefined,
    autoAcceptClean: options.getBoolean("auto_accept") ?? undefined,
  });
  const summary = `Join rules for ${groupName}: ${describeRules(now)}.`;
  if (!changed) {
    await interaction.editReply(summary);
    return;
  }
  const outcome = await context.modLog.configChanged(interaction.guildId, { actorId: interaction.user.id, summary });
  await interaction.editReply(withModLogNote(summary, outcome));
}

/** Accept/decline calls Roblox allows per minute per key: what a bulk run's duration is estimated from. */
const DECISIONS_PER_MINUTE = 100;
/** How often the progress message is edited: often enough to watch, rarely enough to stay under Discord's limits. */
const PROGRESS_EVERY_MS = 2_000;

async function askBulk(interaction: ChatInputCommandInteraction<"cached">, context: BotContext) {
  const decision = interaction.options.getString("decision", true) === "accept" ? "accept" : "decline";
  const queue = await openQueue(
    reviewDeps(context, interaction.client.user.id),
    interaction.guildId,
    interaction.options.getString("group") ?? undefined,
  );
  const { token, expiresAt } = await context.bulkDecisions.add(interaction.guildId, interaction.user.id, {
    guildId: interaction.guildId,
    ...queue,
    decision,
  });
  const minutes = Math.ceil(queue.userIds.length / DECISIONS_PER_MINUTE);
  await interaction.editReply({
    content:
      `${decision === "accept" ? "Approve" : "Decline"} all **${queue.userIds.length}** open join requests of ${queue.groupName}? ` +
      `Roblox takes ${DECISIONS_PER_MINUTE} decisions a minute, so this needs about ${minutes} minute${minutes === 1 ? "" : "s"}. ` +
      `This button expires ${time(expiresAt, TimestampStyles.RelativeTime)}.`,
    components: [
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder()
          .setCustomId(encodeCustomId({ kind: "confirmBulk", token }))
          .setLabel(`${decision === "accept" ? "Approve" : "Decline"} ${queue.userIds.length}`)
          .setStyle(decision === "accept" ? ButtonStyle.Success : ButtonStyle.Danger),
      ),
    ],
  });
}

/** The bulk confirmation: only its invoker, once, then a progress message until the queue is done. */
export const confirmBulkButton: ComponentHandler<"confirmBulk"> = {
  kind: "confirmBulk",
  permission: "review_join_requests",
  async handle(interaction, id, context) {
    if (!interaction.isButton()) throw new UserError("This confirmation is no longer valid.");
    const expired = () => interaction.update({ content: "This confirmation expired; nothing was done. Run the command again.", components: [] });
    // A token is good only in the guild that made it: clicked elsewhere, it acts as though it never existed.
    const pending = await context.bulkDecisions.get(id.token, interaction.guildId);
    if (pending === undefined) {
      await expired();
      return;
    }
    if (pending.invokerId !== interaction.user.id) {
      await interaction.reply({ content: "Only the reviewer who asked can confirm this.", flags: MessageFlags.Ephemeral });
      return;
    }
    // Taken before deciding: of two clicks, here or in another process, only one runs the queue.
    const bulk = await context.bulkDecisions.take(id.token, interaction.guildId, interaction.user.id);
    if (bulk === undefined) {
      await expired();
      return;
    }
    const verb = bulk.decision === "accept" ? "Approving" : "Declining";
    const describe = (progress: BulkProgress) =>
      `${progress.decided + progress.skipped + progress.failed}/${progress.total} done: ${progress.decided} decided, ` +
      `${progress.skipped} already handled, ${progress.failed} failed`;
    await interaction.update({ content: `${verb} ${bulk.userIds.length} requests of ${bulk.groupName}…`, components: [] });
    let lastEdit = Date.now();
    const final = await decideAll(
      reviewDeps(context, interaction.client.user.id),
      { guildId: bulk.guildId, groupId: bulk.groupId, userIds: bulk.userIds, decision: bulk.decision, actorId: interaction.user.id },
      (progress) => {
        if (Date.now() - lastEdit < PROGRESS_EVERY_MS) return;
        lastEdit = Date.now();
        interaction.editReply(`${verb} ${bulk.groupName}: ${describe(progress)}…`).catch((error: unknown) => {
          context.logger.warn({ err: error }, "could not update a bulk decision's progress");
        });
      },
    );
    await interaction.editReply(`Done with ${bulk.groupName}: ${describe(final)}.`);
  },
};
