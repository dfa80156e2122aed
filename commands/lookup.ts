import {
  EmbedBuilder,
  InteractionContextType,
  PermissionFlagsBits,
  TimestampStyles,
  time,
  type InteractionEditReplyOptions,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import { suggestPlayerChoices } from "../src/discord/autocomplete.js";
import type { BotContext } from "../src/discord/botContext.js";
import { caseActionWord } from "../src/discord/caseActionNames.js";
import { profileUrl } from "../src/discord/caseEmbed.js";
import type { CommandModule } from "../src/discord/commandModule.js";
import { playerOption } from "../src/discord/commandOptions.js";
import { requiredString, type CommandRequest } from "../src/discord/commandRequest.js";
import { answerNamingPlayer } from "../src/discord/playerChoice.js";
import { lookUpPlayer, type BanState } from "../src/services/lookup.js";
import { clipText } from "../src/services/clipText.js";

export const definition = {
  name: "lookup",
  description: "Look a Roblox player up: profile, account age, bans, and this server's cases",
  default_member_permissions: String(PermissionFlagsBits.ModerateMembers),
  contexts: [InteractionContextType.Guild],
  options: [
    playerOption,
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const DAY_MS = 86_400_000;

export const lookup: CommandModule = {
  definition,
  access: () => ({ permission: "lookup" }),

  execute: (interaction, context) => answerNamingPlayer(interaction, context, answerLookup),
  answer: answerLookup,
  autocomplete(interaction, context) {
    return suggestPlayerChoices(context, String(interaction.options.getFocused()));
  },
};

async function answerLookup(command: CommandRequest, context: BotContext): Promise<InteractionEditReplyOptions> {
  const found = await lookUpPlayer(context, command.guildId, requiredString(command, "user"));
  const { profile } = found;
  const created = profile.createTime;
  const embed = new EmbedBuilder()
    .setTitle(profile.displayName && profile.displayName !== profile.name ? `${profile.displayName} (@${profile.name})` : profile.name)
    .setURL(profileUrl(profile.id))
    .setDescription(`Roblox user \`${profile.id}\``)
    .addFields(
      {
        name: "Account age",
        value: created === null ? "unknown" : `${Math.floor((Date.now() - created.getTime()) / DAY_MS)} days (since ${time(created, TimestampStyles.LongDate)})`,
        inline: true,
      },
      { name: "Premium", value: profile.premium ? "yes" : "no", inline: true },
      {
        name: "ID verified",
        // Without user.advanced:read Roblox answers false, which then means "not allowed to know".
        value: profile.idVerified.value ? "yes" : profile.idVerified.mayBeHidden ? "no, or the key lacks `user.advanced:read`" : "no",
        inline: true,
      },
      { name: "Bans", value: clipText(found.bans.map(describeBan).join("\n"), 1024) || "no experience linked" },
      {
        name: "Cases here",
        value:
          found.cases
            .slice(0, 10)
            .map((row) => `#${row.number} ${caseActionWord(row.action)} (${row.status}) ${time(row.createdAt, TimestampStyles.RelativeTime)}`)
            .join("\n") || "none",
      },
    );
  if (found.avatarUrl !== undefined) embed.setThumbnail(found.avatarUrl);
  return { content: "", embeds: [embed], components: [] };
}

function describeBan(state: BanState): string {
  if ("unknown" in state) return `${state.experienceName}: unknown (${state.unknown})`;
  if (!state.banned) return `${state.experienceName}: not banned`;
  const until = state.endTime === null ? "permanently" : `until ${time(state.endTime, TimestampStyles.ShortDateTime)}`;
  return `${state.experienceName}: **banned** ${until}${state.reason ? `: ${clipText(state.reason, 100)}` : ""}`;
}
