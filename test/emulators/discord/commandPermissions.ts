import {
  ApplicationCommandPermissionType,
  PermissionFlagsBits,
  type APIApplicationCommand,
  type APIApplicationCommandPermission,
  type APIGuildApplicationCommandPermissions,
} from "discord.js";
import { hasPermission } from "./permissions.js";
import type { World } from "./state.js";

/**
 * Per-guild application command permission overrides, as server admins set them
 * in Server Settings > Integrations (docs: interactions/application-commands.mdx
 * "Permissions", "Application Command Permissions Object"). Entries are kept per
 * guild and per target: a command id, or the application id for the app-wide
 * ("synced") entry that applies to every command without its own entry.
 */
export class CommandPermissionStore {
  private readonly byGuild = new Map<string, Map<string, APIApplicationCommandPermission[]>>();

  constructor(private readonly applicationId: string) {}

  get(guildId: string, targetId: string): APIGuildApplicationCommandPermissions | undefined {
    const permissions = this.byGuild.get(guildId)?.get(targetId);
    return permissions && this.payload(guildId, targetId, permissions);
  }

  /** The raw entries for a target, empty when it has none. */
  entries(guildId: string, targetId: string): readonly APIApplicationCommandPermission[] {
    return this.byGuild.get(guildId)?.get(targetId) ?? [];
  }

  list(guildId: string): APIGuildApplicationCommandPermissions[] {
    return [...(this.byGuild.get(guildId) ?? new Map<string, APIApplicationCommandPermission[]>()).entries()].map(([targetId, permissions]) =>
      this.payload(guildId, targetId, permissions),
    );
  }

  /** Replaces the target's entries, as Edit Application Command Permissions does; an empty list removes them. */
  set(guildId: string, targetId: string, permissions: APIApplicationCommandPermission[]): APIGuildApplicationCommandPermissions {
    let guild = this.byGuild.get(guildId);
    if (!guild) {
      guild = new Map();
      this.byGuild.set(guildId, guild);
    }
    if (permissions.length === 0) guild.delete(targetId);
    else guild.set(targetId, structuredClone(permissions));
    return this.payload(guildId, targetId, permissions);
  }

  /** "Deleting or renaming a command will permanently delete all permissions for the command" (docs: "Edit Application Command Permissions"). */
  forget(guildId: string | null, commandId: string): void {
    if (guildId !== null) {
      this.byGuild.get(guildId)?.delete(commandId);
      return;
    }
    for (const guild of this.byGuild.values()) guild.delete(commandId);
  }

  private payload(guildId: string, targetId: string, permissions: readonly APIApplicationCommandPermission[]): APIGuildApplicationCommandPermissions {
    return { id: targetId, application_id: this.applicationId, guild_id: guildId, permissions: structuredClone([...permissions]) };
  }
}

/** The "All Channels" constant: `guild_id - 1` (docs: "Application Command Permissions Constants"). */
export function allChannelsPermissionId(guildId: string): string {
  return (BigInt(guildId) - 1n).toString();
}

/** Most entries one command (or the app) may carry in a guild (docs: "Guild Application Command Permissions Structure"). */
export const MAX_COMMAND_PERMISSIONS = 100;

/**
 * Checks entries as the Integrations screen would let an admin make them: at most
 * 100, each naming a role of the guild (its id for @everyone), a member, or a
 * channel of the guild (`guild_id - 1` for all channels), once.
 */
export function validatePermissionEntries(world: World, guildId: string, permissions: readonly APIApplicationCommandPermission[]): APIApplicationCommandPermission[] {
  const guild = world.guild(guildId);
  if (permissions.length > MAX_COMMAND_PERMISSIONS) {
    throw new Error(`at most ${MAX_COMMAND_PERMISSIONS} command permissions per command, got ${permissions.length}`);
  }
  const seen = new Set<string>();
  return permissions.map((entry) => {
    const { id, type, permission } = entry;
    if (typeof permission !== "boolean") throw new Error(`command permission for ${id}: permission must be a boolean`);
    switch (type) {
      case ApplicationCommandPermissionType.Role:
        if (!guild.roles.has(id)) throw new Error(`command permission: no role ${id} in guild ${guildId} (the @everyone role's id is the guild id)`);
        break;
      case ApplicationCommandPermissionType.User:
        if (!guild.members.has(id)) throw new Error(`command permission: user ${id} is not a member of guild ${guildId}`);
        break;
      case ApplicationCommandPermissionType.Channel: {
        const channel = world.channel(id);
        if (id !== allChannelsPermissionId(guildId) && channel?.guildId !== guildId) {
          throw new Error(`command permission: no channel ${id} in guild ${guildId} (all channels is guild_id - 1)`);
        }
        break;
      }
      default:
        throw new Error(`command permission for ${id}: type must be ROLE (1), USER (2) or CHANNEL (3), got ${String(type)}`);
    }
    const key = `${type}:${id}`;
    if (seen.has(key)) throw new Error(`command permission for ${id} is given twice`);
    seen.add(key);
    return { id, type, permission };
  });
}

export interface PermissionContext {
  guildId: string;
  channelId: string;
  userId: string;
  /** Role ids the member holds, without @everyone. */
  roleIds: readonly string[];
  /** Guild-level permissions (Administrator is decided here). */
  guildPermissions: bigint;
  /** Permissions in the channel the command is used in. */
  channelPermissions: bigint;
  command: APIApplicationCommand;
  /** Entries set on the command itself. */
  commandLevel: readonly APIApplicationCommandPermission[];
  /** Entries set on the app (target id = application id). */
  appLevel: readonly APIApplicationCommandPermission[];
}

/**
 * Why Discord would not let the member run the command here, or null if it would.
 *
 * The order is the "Commands Permission System" flowchart of the permissions v2
 * changelog (docs: change-log.mdx, November 17, 2022, "Flowchart for command
 * permissions logic", images/new-permissions-flowchart.svg), which
 * application-commands.mdx "Permissions" points to for the current behaviour:
 *
 * 0. Admins can always use commands ("Members with the Administrator permission
 *    can use all commands").
 * 1. Channel: an entry for this channel on the command, else the command's All
 *    Channels entry, decides (false: cannot run; true: go on to step 2). With
 *    neither, the same two lookups on the app. With none at all, go on.
 * 2. User/role on the command: the member's own entry decides outright; else
 *    the entries for roles the member holds (runnable if at least one is true);
 *    else the @everyone entry. A true here runs the command regardless of
 *    default_member_permissions ("Command-level configurations override what is
 *    present at the app-level *and* any restrictions set by
 *    default_member_permissions"). With no such entry, the same three lookups on
 *    the app, where false denies and true only continues to step 3 (app-level
 *    entries "work *together* with default_member_permissions").
 * 3. default_member_permissions: null runs; "0" does not; otherwise the member
 *    needs those permissions in the current channel.
 */
export function commandPermissionDenial(context: PermissionContext): string | null {
  const { guildId, channelId, userId, command } = context;
  if (hasPermission(context.guildPermissions, PermissionFlagsBits.Administrator)) return null;
  const where = `/${command.name} for user ${userId} in channel ${channelId}`;
  const levels = [
    ["command", context.commandLevel],
    ["app", context.appLevel],
  ] as const;

  const allChannels = allChannelsPermissionId(guildId);
  for (const [level, entries] of levels) {
    const channels = entries.filter((p) => p.type === ApplicationCommandPermissionType.Channel);
    const entry = channels.find((p) => p.id === channelId) ?? channels.find((p) => p.id === allChannels);
    if (!entry) continue;
    if (!entry.permission) {
      return `Discord hides ${where}: the ${level}-level permission for ${entry.id === channelId ? "this channel" : "all channels"} is false`;
    }
    break;
  }

  const roles = new Set(context.roleIds.filter((r) => r !== guildId));
  const userOrRole = (entries: readonly APIApplicationCommandPermission[]): { allowed: boolean; via: string } | undefined => {
    const user = entries.find((p) => p.type === ApplicationCommandPermissionType.User && p.id === userId);
    if (user) return { allowed: user.permission, via: "the member's own entry" };
    const held = entries.filter((p) => p.type === ApplicationCommandPermissionType.Role && roles.has(p.id));
    if (held.length > 0) return { allowed: held.some((p) => p.permission), via: "the entries for the member's roles" };
    const everyone = entries.find((p) => p.type === ApplicationCommandPermissionType.Role && p.id === guildId);
    if (everyone) return { allowed: everyone.permission, via: "the @everyone entry" };
    return undefined;
  };
  const onCommand = userOrRole(context.commandLevel);
  if (onCommand) return onCommand.allowed ? null : `Discord hides ${where}: command-level permissions deny it (${onCommand.via})`;
  const onApp = userOrRole(context.appLevel);
  if (onApp && !onApp.allowed) return `Discord hides ${where}: app-level permissions deny it (${onApp.via})`;

  if (command.default_member_permissions === null) return null;
  const required = BigInt(command.default_member_permissions);
  if (required === 0n) return `Discord hides ${where}: default_member_permissions is "0" (admins only unless an override allows it)`;
  if (!hasPermission(context.channelPermissions, required)) {
    return `Discord hides ${where}: default_member_permissions ${required} not held`;
  }
  return null;
}
