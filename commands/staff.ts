import {
  ApplicationCommandOptionType,
  InteractionContextType,
  PermissionFlagsBits,
  type ChatInputCommandInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import { liftPause } from "../src/db/moderatorPauses.js";
import { PERMISSIONS, type Permission } from "../src/db/schema.js";
import type { BotContext } from "../src/discord/botContext.js";
import type { CommandModule } from "../src/discord/commandModule.js";
import { withModLogNote } from "../src/discord/replies.js";
import { grantStaffPermission, listStaffGrants, revokeStaffPermission } from "../src/services/staff.js";
import { UserError } from "../src/services/userError.js";

const subjectOptions = [
  {
    type: ApplicationCommandOptionType.String,
    name: "permission",
    description: "What Warden lets them do",
    required: true,
    choices: PERMISSIONS.map((permission) => ({ name: permission, value: permission })),
  },
  { type: ApplicationCommandOptionType.Role, name: "role", description: "Everyone with this role" },
  { type: ApplicationCommandOptionType.User, name: "user", description: "This member" },
] as const;

export const definition = {
  name: "staff",
  description: "Choose which roles and members may use Warden",
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  contexts: [InteractionContextType.Guild],
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "grant",
      description: "Let a role or member use a Warden permission",
      options: [...subjectOptions],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "revoke",
      description: "Take a Warden permission back from a role or member",
      options: [...subjectOptions],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: "list", description: "Show who holds which Warden permission" },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "release",
      description: "Lift the guard's pause on a member's bans, rank changes and suspensions",
      options: [{ type: ApplicationCommandOptionType.User, name: "user", description: "The paused member", required: true }],
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const staff: CommandModule = {
  definition,
  access: (subcommand) =>
    subcommand === "grant" || subcommand === "revoke" || subcommand === "list" || subcommand === "release" ? { permission: "configure" } : undefined,

  async execute(interaction, context) {
    const subcommand = interaction.options.getSubcommand();
    if (subcommand === "list") return list(interaction, context);
    if (subcommand === "release") return release(interaction, context);

    const change = {
      guildId: interaction.guildId,
      actorId: interaction.user.id,
      subject: subjectOf(interaction),
      permission: permissionOf(interaction),
    };
    const who = change.subject.type === "role" ? mentionRole(change.subject.id, interaction.guildId) : `<@${change.subject.id}>`;
    const granting = subcommand === "grant";
    const changed = granting
      ? await grantStaffPermission(context.db, change)
      : await revokeStaffPermission(context.db, change);
    if (!changed) {
      await interaction.editReply(
        granting ? `${who} already holds \`${change.permission}\`.` : `${who} did not hold \`${change.permission}\`; nothing changed.`,
      );
      return;
    }
    const summary = granting
      ? `Granted \`${change.permission}\` to ${who}.`
      : `Revoked \`${change.permission}\` from ${who}.`;
    const outcome = await context.modLog.configChanged(interaction.guildId, { actorId: interaction.user.id, summary });
    await interaction.editReply(withModLogNote(summary, outcome));
  },
};

async function release(interaction: ChatInputCommandInteraction<"cached">, context: BotContext) {
  const member = interaction.options.getUser("user", true);
  if (!(await liftPause(context.db, interaction.guildId, member.id, interaction.user.id))) {
    await interaction.editReply(`<@${member.id}> is not paused; nothing changed.`);
    return;
  }
  const summary = `Lifted the guard's pause on <@${member.id}>: their bans, rank changes and suspensions are taken again.`;
  const outcome = await context.modLog.configChanged(interaction.guildId, { actorId: interaction.user.id, summary });
  await interaction.editReply(withModLogNote(summary, outcome));
}

async function list(interaction: ChatInputCommandInteraction<"cached">, context: BotContext) {
  const grants = await listStaffGrants(context.db, interaction.guildId);
  const lines = PERMISSIONS.map((permission) => {
    const holders = grants
      .filter((grant) => grant.permission === permission)
      .map((grant) => (grant.subjectType === "role" ? mentionRole(grant.subjectId, interaction.guildId) : `<@${grant.subjectId}>`));
    return `**${permission}**: ${holders.length === 0 ? "nobody" : holders.join(", ")}`;
  });
  await interaction.editReply(`${lines.join("\n")}\n\nAdministrators and members with Manage Server hold every permission.`);
}

function subjectOf(interaction: ChatInputCommandInteraction<"cached">) {
  const role = interaction.options.getRole("role");
  const user = interaction.options.getUser("user");
  if (role !== null && user === null) return { type: "role" as const, id: role.id };
  if (user !== null && role === null) return { type: "user" as const, id: user.id };
  throw new UserError("Choose either a `role` or a `user` (one of them).");
}

function permissionOf(interaction: ChatInputCommandInteraction<"cached">): Permission {
  const value = interaction.options.getString("permission", true);
  const permission = PERMISSIONS.find((known) => known === value);
  if (permission === undefined) throw new UserError(`\`${value}\` is not a Warden permission.`);
  return permission;
}

const mentionRole = (roleId: string, guildId: string) => (roleId === guildId ? "@everyone" : `<@&${roleId}>`);
