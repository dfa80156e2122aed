import {
  ComponentType,
  LabelBuilder,
  MessageFlags,
  ModalBuilder,
  TextInputBuilder,
  TextInputStyle,
  type ButtonInteraction,
  type ModalSubmitInteraction,
} from "discord.js";
import { findAppeal } from "../db/appeals.js";
import { APPEAL_ANSWER_MAX, acceptAppeal, checkOpen, declineAppeal } from "../services/appeals/decideAppeal.js";
import { UserError } from "../services/userError.js";
import { withAppealDecision } from "./appealBoard.js";
import { moderationDeps, type BotContext } from "./botContext.js";
import type { ComponentHandler } from "./componentHandler.js";
import { encodeCustomId } from "./customIds.js";

/** The decline form's one field: what the player reads on the appeal page. */
const ANSWER_INPUT = "answer";

/**
 * Accept and Decline on a posted appeal, for members with `unban`: the
 * router checks it at every click and again when the decline form is sent.
 * The appeal id is never trusted: it must be an appeal of the clicker's guild.
 */
export const appealButton: ComponentHandler<"appeal"> = {
  kind: "appeal",
  permission: "unban",
  async handle(interaction, id, context) {
    if (id.decision === "accept" && interaction.isButton()) return accept(interaction, id.appealId, context);
    if (id.decision === "decline" && interaction.isButton()) return askForAnswer(interaction, id.appealId, context);
    if (id.decision === "decline" && interaction.isModalSubmit()) return decline(interaction, id.appealId, context);
    throw new UserError("This button or form is no longer valid.");
  },
};

async function accept(interaction: ButtonInteraction<"cached">, appealId: number, context: BotContext) {
  await interaction.deferUpdate();
  let result;
  try {
    result = await acceptAppeal(moderationDeps(context), { guildId: interaction.guildId, appealId, actorId: interaction.user.id });
  } catch (error) {
    // The appeal's message stays as it is; only the clicker hears why nothing happened.
    if (!(error instanceof UserError)) throw error;
    await interaction.followUp({ content: error.message, flags: MessageFlags.Ephemeral });
    return;
  }
  if (result.outcome === "failed") {
    await interaction.followUp({ content: `Nothing was decided; the appeal stays open. ${result.reason}`, flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.editReply(withAppealDecision(interaction.message.embeds[0]?.toJSON(), result.decision));
}

/** The decline form, shown only while the appeal is open: a decided one is said so at once. */
async function askForAnswer(interaction: ButtonInteraction<"cached">, appealId: number, context: BotContext) {
  await checkOpen(context.db, { guildId: interaction.guildId, appealId });
  const modal = new ModalBuilder()
    .setCustomId(encodeCustomId({ kind: "appeal", decision: "decline", appealId }))
    .setTitle(`Decline appeal #${appealId}`)
    .addLabelComponents(
      new LabelBuilder()
        .setLabel("Answer to the player")
        .setDescription("The player reads this on the appeal page; the ban stays.")
        .setTextInputComponent(
          new TextInputBuilder().setCustomId(ANSWER_INPUT).setStyle(TextInputStyle.Paragraph).setRequired(true).setMaxLength(APPEAL_ANSWER_MAX),
        ),
    );
  await interaction.showModal(modal);
}

async function decline(interaction: ModalSubmitInteraction<"cached">, appealId: number, context: BotContext) {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const field = interaction.fields.fields.get(ANSWER_INPUT);
  if (field?.type !== ComponentType.TextInput) throw new UserError("This form is no longer valid. Click Decline again.");
  const decision = await declineAppeal(context.db, { guildId: interaction.guildId, appealId, actorId: interaction.user.id, answer: field.value });
  const appeal = await findAppeal(context.db, interaction.guildId, appealId);
  if (appeal !== undefined && appeal.channelId !== null && appeal.messageId !== null) {
    await context.appealBoard.showDecision(appeal.channelId, appeal.messageId, decision);
  }
  await interaction.editReply(`Appeal #${appealId} declined. The player sees your answer on the appeal page; the ban stays.`);
}
