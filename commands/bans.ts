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
  type InteractionEditReplyOptions,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import { suggestLinks } from "../src/discord/autocomplete.js";
import { profileUrl } from "../src/discord/caseEmbed.js";
import type { CommandModule } from "../src/discord/commandModule.js";
import { experienceOption } from "../src/discord/commandOptions.js";
import type { ComponentHandler } from "../src/discord/componentHandler.js";
import { encodeCustomId } from "../src/discord/customIds.js";
import { isStillLinked, listActiveBans, type ActiveBans } from "../src/services/moderation/activeBans.js";
import { UserError } from "../src/services/userError.js";
import { clipText } from "../src/services/clipText.js";

export const definition = {
  name: "bans",
  description: "List the bans in force in a linked experience, newest first",
  default_member_permissions: String(PermissionFlagsBits.ModerateMembers),
  contexts: [InteractionContextType.Guild],
  options: [
    experienceOption,
    { type: ApplicationCommandOptionType.String, name: "place", description: "Only the bans of this place id", max_length: 20 },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const PAGE_SIZE = 10;

export const bans: CommandModule = {
  definition,
  access: () => ({ permission: "lookup" }),

  async execute(interaction, context) {
    const list = await listActiveBans(
      context,
      interaction.guildId,
      interaction.options.getString("experience") ?? undefined,
      interaction.options.getString("place") ?? undefined,
    );
    // The list is read once and kept under its token for paging: Roblox's own pages are not in date order.
    const { token } = await context.banLists.add(interaction.guildId, interaction.user.id, list);
    await interaction.editReply(renderPage(list, token, 0));
  },

  autocomplete(interaction, context) {
    return suggestLinks(context, interaction.guildId, "universe", String(interaction.options.getFocused()));
  },
};

/** "Previous" and "Next": the page's own view, for the guild it was made in. */
export const bansPageButton: ComponentHandler<"bansPage"> = {
  kind: "bansPage",
  permission: "lookup",
  async handle(interaction, id, context) {
    if (!interaction.isButton()) throw new UserError("This list is no longer valid. Run /bans again.");
    // A token is good only in the guild that made it: clicked elsewhere, it acts as though it never existed.
    const stored = await context.banLists.get(id.token, interaction.guildId);
    if (stored === undefined) {
      await interaction.update({ content: "This list expired. Run /bans again for a fresh one.", embeds: [], components: [] });
      return;
    }
    const list = stored.value;
    if (!(await isStillLinked(context.db, interaction.guildId, list))) {
      await context.banLists.delete(id.token, interaction.guildId);
      await interaction.update({
        content: `Experience \`${list.universeId}\` is no longer linked to this server, so this list is closed.`,
        embeds: [],
        components: [],
      });
      return;
    }
    await interaction.update(renderPage(list, id.token, id.page));
  },
};

function renderPage(list: ActiveBans, token: string, requestedPage: number): InteractionEditReplyOptions {
  const pages = Math.max(1, Math.ceil(list.bans.length / PAGE_SIZE));
  const page = Math.min(requestedPage, pages - 1);
  const where = list.placeId === undefined ? list.experienceName : `place ${list.placeId} of ${list.experienceName}`;
  const lines = list.bans.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE).map((ban) => {
    const who = `[${ban.username ?? ban.userId}](${profileUrl(ban.userId)})${ban.username ? ` \`${ban.userId}\`` : ""}`;
    const until = ban.endTime === null ? "permanent" : `until ${time(ban.endTime, TimestampStyles.RelativeTime)}`;
    return `${who} · ${until}${ban.reasonPreview ? ` · ${ban.reasonPreview}` : ""}`;
  });
  const embed = new EmbedBuilder()
    .setTitle(clipText(`Bans in ${where}`, 256))
    .setDescription(lines.join("\n") || "Nobody is banned there.")
    .setFooter({
      text: `${list.bans.length} ban${list.bans.length === 1 ? "" : "s"}${list.truncated ? " (Roblox lists more than were read)" : ""} · page ${page + 1} of ${pages}`,
    });
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(encodeCustomId({ kind: "bansPage", token, page: Math.max(0, page - 1) }))
      .setLabel("Previous")
      .setStyle(ButtonStyle.Secondary)
      .setDisabled(page === 0),
    new ButtonBuilder()
      .setCustomId(encodeCustomId({ kind: "bansPage", token, page: Math.min(pages - 1, page + 1) }))
      .setLabel("Next")
      .setStyle(ButtonStyle.Secondary)
      .setDisabled(page >= pages - 1),
  );
  return { content: "", embeds: [embed], components: pages > 1 ? [row] : [] };
}
