import {
  ApplicationCommandOptionType,
  EmbedBuilder,
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
import { withModLogNote } from "../src/discord/replies.js";
import { decideJoinRequest } from "../src/services/joinRequests/decideJoinRequest.js";
import { describeRules } from "../src/services/joinRequests/joinRules.js";
import { postPendingRequests } from "../src/services/joinRequests/postPendingRequests.js";
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
    subcommand === "review"
      ? { permission: "review_join_requests" }
      : subcommand === "rules"
        ? { permission: "configure" }
        : undefined,

  async execute(interaction, context) {
    if (interaction.options.getSubcommand() === "rules") return rules(interaction, context);
    const report = await postPendingRequests(
      reviewDeps(context, interaction.client.user.id),
      interaction.guildId,
      interaction.options.getString("group") ?? undefined,
    );
    const waiting = `${report.pending} join request${report.pending === 1 ? "" : "s"} waiting in ${report.groupName}`;
    const posted =
      report.posted === 0
        ? "nothing new to post"
        : `posted ${report.posted} new to the review channel${report.decidedByRules > 0 ? `, ${report.decidedByRules} decided by the rules` : ""}`;
    await interaction.editReply(`${waiting}; ${posted}.${report.problem ? `\n-# ${report.problem}` : ""}`);
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
    const card = EmbedBuilder.from(interaction.message.embeds[0] ?? new EmbedBuilder().setTitle("Join request")).addFields({
      name: "Decision",
      value: `${verdict} · case #${result.row.number}`,
    });
    await interaction.editReply({ embeds: [card], components: [] });
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
