import {
  ChannelType,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildSystemChannelFlags,
  GuildVerificationLevel,
  Locale,
  OverwriteType,
  PermissionFlagsBits,
  type APIAttachment,
  type APIGuild,
  type APIGuildCategoryChannel,
  type ChannelFlags,
  type GuildMemberFlags,
  type RoleFlags,
  type APIGuildMember,
  type APINewsChannel,
  type APIRole,
  type APITextChannel,
  type APIUser,
  type GatewayGuildCreateDispatchData,
} from "discord.js";
import { basePermissions, channelPermissions, type PermissionOverwrite, type PermissionSubject } from "./permissions.js";
import { SnowflakeGenerator } from "./snowflake.js";

export type SeedChannelType = ChannelType.GuildText | ChannelType.GuildAnnouncement | ChannelType.GuildCategory;

export interface RoleSeed {
  name: string;
  permissions?: bigint;
  color?: number;
  hoist?: boolean;
}

/** A channel overwrite aimed at a role (by name, `@everyone` included), a member (by username), or the bot. */
export type OverwriteSeed = { allow?: bigint; deny?: bigint } & ({ role: string } | { member: string } | { bot: true });

export interface ChannelSeed {
  name: string;
  type?: SeedChannelType;
  topic?: string;
  /** Name of the category channel this one sits in. */
  parent?: string;
  overwrites?: OverwriteSeed[];
}

export interface MemberSeed {
  username: string;
  /** Role names or ids. */
  roles?: string[];
  /**
   * Extra guild-level permissions, carried by a personal role so that discord.js
   * (which computes permissions from cached roles) and the interaction payloads agree.
   */
  permissions?: bigint;
  nick?: string;
}

export interface GuildSeed {
  name?: string;
  locale?: Locale;
  /** Permissions of the @everyone role. */
  everyonePermissions?: bigint;
  roles?: RoleSeed[];
  /** Defaults to one text channel, `general`. */
  channels?: ChannelSeed[];
  members?: MemberSeed[];
  /** Username of the owner (who holds every permission); defaults to a member named `owner`. */
  owner?: string;
  /** Permissions of the bot's managed role, as granted by its invite link. */
  botPermissions?: bigint;
  /** Further role names for the bot member. */
  botRoles?: string[];
}

/** Ids of what a seed created, by name. */
export interface EmulatedGuild {
  id: string;
  name: string;
  everyoneRoleId: string;
  botRoleId: string;
  ownerId: string;
  roles: Record<string, string>;
  channels: Record<string, string>;
  members: Record<string, string>;
}

export interface EmulatedMember {
  guildId: string;
  userId: string;
  username: string;
  roleIds: string[];
}

export interface UserRecord {
  id: string;
  username: string;
  bot: boolean;
  locale: Locale;
}

export interface RoleRecord {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
  color: number;
  hoist: boolean;
  managed: boolean;
  botId?: string;
}

export interface ChannelRecord {
  id: string;
  guildId: string;
  name: string;
  type: SeedChannelType;
  position: number;
  parentId: string | null;
  topic: string | null;
  overwrites: PermissionOverwrite[];
  lastMessageId: string | null;
}

export interface MemberRecord {
  userId: string;
  roleIds: string[];
  nick: string | null;
  joinedAt: string;
}

export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  locale: Locale;
  joinedAt: string;
  roles: Map<string, RoleRecord>;
  channels: Map<string, ChannelRecord>;
  members: Map<string, MemberRecord>;
}

/**
 * Roughly what a new server grants @everyone: enough to talk and use apps,
 * nothing that moderates.
 */
export const DEFAULT_EVERYONE_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.CreateInstantInvite |
  PermissionFlagsBits.ChangeNickname |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.AddReactions |
  PermissionFlagsBits.UseExternalEmojis |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.UseApplicationCommands |
  PermissionFlagsBits.Connect |
  PermissionFlagsBits.Speak;

/** What a typical moderation bot's invite link asks for. */
export const DEFAULT_BOT_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.UseExternalEmojis;

export type DispatchHook = (guildId: string | null, event: string, data: unknown, intent: number | null) => void;

/** Who is where: users, guilds with their roles, channels and members. */
export class World {
  readonly ids = new SnowflakeGenerator();
  readonly users = new Map<string, UserRecord>();
  readonly guilds = new Map<string, GuildRecord>();
  private readonly usersByName = new Map<string, UserRecord>();
  private readonly channelIndex = new Map<string, ChannelRecord>();
  readonly bot: UserRecord;
  /** Tells connected sessions about changes; set by the gateway. */
  dispatch: DispatchHook = () => {};
  /** A file a member uploaded, as a command's attachment option carries it; set by the CDN. */
  attachment: (id: string) => APIAttachment | undefined = () => undefined;

  constructor(botUsername: string) {
    this.bot = { id: this.ids.next(), username: botUsername, bot: true, locale: Locale.EnglishUS };
    this.users.set(this.bot.id, this.bot);
  }

  /** The same username always names the same person, so one user can sit in several guilds. */
  ensureUser(username: string): UserRecord {
    const existing = this.usersByName.get(username);
    if (existing) return existing;
    if (username === this.bot.username) return this.bot;
    const user: UserRecord = { id: this.ids.next(), username, bot: false, locale: Locale.EnglishUS };
    this.users.set(user.id, user);
    this.usersByName.set(username, user);
    return user;
  }

  guild(guildId: string): GuildRecord {
    const guild = this.guilds.get(guildId);
    if (!guild) throw new Error(`no guild ${guildId} in the local Discord`);
    return guild;
  }

  channel(channelId: string): ChannelRecord | undefined {
    return this.channelIndex.get(channelId);
  }

  user(userId: string): UserRecord {
    const user = this.users.get(userId);
    if (!user) throw new Error(`no user ${userId} in the local Discord`);
    return user;
  }

  member(guildId: string, userId: string): MemberRecord {
    const member = this.guild(guildId).members.get(userId);
    if (!member) throw new Error(`user ${userId} is not a member of guild ${guildId}`);
    return member;
  }

  addGuild(seed: GuildSeed = {}): EmulatedGuild {
    const id = this.ids.next();
    const name = seed.name ?? `Guild ${this.guilds.size + 1}`;
    const ownerName = seed.owner ?? "owner";
    const owner = this.ensureUser(ownerName);
    const guild: GuildRecord = {
      id,
      name,
      ownerId: owner.id,
      locale: seed.locale ?? Locale.EnglishUS,
      joinedAt: new Date().toISOString(),
      roles: new Map(),
      channels: new Map(),
      members: new Map(),
    };
    guild.roles.set(id, {
      id,
      name: "@everyone",
      permissions: seed.everyonePermissions ?? DEFAULT_EVERYONE_PERMISSIONS,
      position: 0,
      color: 0,
      hoist: false,
      managed: false,
    });
    for (const role of seed.roles ?? []) this.createRole(guild, role);
    const botRole = this.createRole(guild, {
      name: this.bot.username,
      permissions: seed.botPermissions ?? DEFAULT_BOT_PERMISSIONS,
    });
    botRole.managed = true;
    botRole.botId = this.bot.id;

    this.joinMember(guild, this.bot, [botRole.id, ...(seed.botRoles ?? []).map((r) => roleIdByName(guild, r))]);
    this.joinMember(guild, owner, []);
    for (const member of seed.members ?? []) this.addMemberTo(guild, member);

    const channels = seed.channels ?? [{ name: "general" }];
    for (const channel of [...channels].sort((a, b) => categoryFirst(a) - categoryFirst(b))) {
      this.createChannel(guild, channel);
    }

    this.guilds.set(id, guild);
    this.dispatch(id, "GUILD_CREATE", this.guildCreatePayload(guild, false), GUILDS_INTENT);
    return this.describeGuild(guild);
  }

  addMember(guildId: string, seed: MemberSeed): EmulatedMember {
    const guild = this.guild(guildId);
    const member = this.addMemberTo(guild, seed);
    const user = this.user(member.userId);
    this.dispatch(guildId, "GUILD_MEMBER_ADD", { ...this.memberPayload(guild, member), guild_id: guildId }, GUILD_MEMBERS_INTENT);
    return { guildId, userId: user.id, username: user.username, roleIds: [...member.roleIds] };
  }

  addRole(guildId: string, seed: RoleSeed): string {
    const guild = this.guild(guildId);
    const role = this.createRole(guild, seed);
    this.dispatch(guildId, "GUILD_ROLE_CREATE", { guild_id: guildId, role: rolePayload(role) }, GUILDS_INTENT);
    return role.id;
  }

  setMemberRoles(guildId: string, userId: string, roleIds: string[]): void {
    const guild = this.guild(guildId);
    const member = this.member(guildId, userId);
    for (const roleId of roleIds) if (!guild.roles.has(roleId)) throw new Error(`no role ${roleId} in guild ${guildId}`);
    member.roleIds = roleIds.filter((r) => r !== guildId);
    this.dispatch(
      guildId,
      "GUILD_MEMBER_UPDATE",
      { ...this.memberPayload(guild, member), guild_id: guildId },
      GUILD_MEMBERS_INTENT,
    );
  }

  private addMemberTo(guild: GuildRecord, seed: MemberSeed): MemberRecord {
    const user = this.ensureUser(seed.username);
    const roleIds = (seed.roles ?? []).map((r) => roleIdByName(guild, r));
    if (seed.permissions !== undefined) {
      roleIds.push(this.createRole(guild, { name: `${seed.username} permissions`, permissions: seed.permissions }).id);
    }
    const member = this.joinMember(guild, user, roleIds);
    member.nick = seed.nick ?? null;
    return member;
  }

  private joinMember(guild: GuildRecord, user: UserRecord, roleIds: string[]): MemberRecord {
    const existing = guild.members.get(user.id);
    if (existing) {
      existing.roleIds = [...new Set([...existing.roleIds, ...roleIds])];
      return existing;
    }
    const member: MemberRecord = { userId: user.id, roleIds, nick: null, joinedAt: new Date().toISOString() };
    guild.members.set(user.id, member);
    return member;
  }

  private createRole(guild: GuildRecord, seed: RoleSeed): RoleRecord {
    const role: RoleRecord = {
      id: this.ids.next(),
      name: seed.name,
      permissions: seed.permissions ?? 0n,
      position: guild.roles.size,
      color: seed.color ?? 0,
      hoist: seed.hoist ?? false,
      managed: false,
    };
    guild.roles.set(role.id, role);
    return role;
  }

  private createChannel(guild: GuildRecord, seed: ChannelSeed): ChannelRecord {
    const parent = seed.parent === undefined ? undefined : [...guild.channels.values()].find((c) => c.name === seed.parent);
    if (seed.parent !== undefined && parent?.type !== ChannelType.GuildCategory) {
      throw new Error(`channel ${seed.name}: no category named ${seed.parent}`);
    }
    const channel: ChannelRecord = {
      id: this.ids.next(),
      guildId: guild.id,
      name: seed.name,
      type: seed.type ?? ChannelType.GuildText,
      position: guild.channels.size,
      parentId: parent?.id ?? null,
      topic: seed.topic ?? null,
      // A channel created in a category starts with the category's overwrites.
      overwrites: seed.overwrites
        ? seed.overwrites.map((o) => this.resolveOverwrite(guild, o))
        : (parent?.overwrites.map((o) => ({ ...o })) ?? []),
      lastMessageId: null,
    };
    guild.channels.set(channel.id, channel);
    this.channelIndex.set(channel.id, channel);
    return channel;
  }

  private resolveOverwrite(guild: GuildRecord, seed: OverwriteSeed): PermissionOverwrite {
    const allow = seed.allow ?? 0n;
    const deny = seed.deny ?? 0n;
    if ("bot" in seed) return { id: this.bot.id, type: OverwriteType.Member, allow, deny };
    if ("member" in seed) {
      const user = this.usersByName.get(seed.member);
      if (!user || !guild.members.has(user.id)) throw new Error(`overwrite for unknown member ${seed.member}`);
      return { id: user.id, type: OverwriteType.Member, allow, deny };
    }
    return { id: roleIdByName(guild, seed.role), type: OverwriteType.Role, allow, deny };
  }

  describeGuild(guild: GuildRecord): EmulatedGuild {
    const botRole = [...guild.roles.values()].find((r) => r.botId === this.bot.id);
    return {
      id: guild.id,
      name: guild.name,
      everyoneRoleId: guild.id,
      botRoleId: botRole?.id ?? guild.id,
      ownerId: guild.ownerId,
      roles: Object.fromEntries([...guild.roles.values()].map((r) => [r.name, r.id])),
      channels: Object.fromEntries([...guild.channels.values()].map((c) => [c.name, c.id])),
      members: Object.fromEntries([...guild.members.keys()].map((id) => [this.user(id).username, id])),
    };
  }

  private subject(guild: GuildRecord, userId: string): PermissionSubject {
    const member = this.member(guild.id, userId);
    return {
      guildId: guild.id,
      ownerId: guild.ownerId,
      userId,
      roleIds: member.roleIds,
      rolePermissions: (roleId) => guild.roles.get(roleId)?.permissions ?? 0n,
    };
  }

  /** A member's guild-level permissions, before channel overwrites (Administrator lives here). */
  guildPermissions(guildId: string, userId: string): bigint {
    return basePermissions(this.subject(this.guild(guildId), userId));
  }

  permissionsIn(channelId: string, userId: string): bigint {
    const channel = this.channelIndex.get(channelId);
    if (!channel) throw new Error(`no channel ${channelId} in the local Discord`);
    const guild = this.guild(channel.guildId);
    return channelPermissions(this.subject(guild, userId), channel.overwrites);
  }

  userPayload(user: UserRecord): APIUser {
    return {
      id: user.id,
      username: user.username,
      discriminator: "0",
      global_name: user.bot ? null : user.username,
      avatar: null,
      ...(user.bot ? { bot: true } : {}),
    };
  }

  memberPayload(guild: GuildRecord, member: MemberRecord): APIGuildMember {
    return {
      user: this.userPayload(this.user(member.userId)),
      nick: member.nick,
      avatar: null,
      banner: null,
      roles: [...member.roleIds],
      joined_at: member.joinedAt,
      premium_since: null,
      deaf: false,
      mute: false,
      flags: NO_FLAGS as GuildMemberFlags,
      pending: false,
      communication_disabled_until: null,
    };
  }

  channelPayload(channel: ChannelRecord): APITextChannel | APINewsChannel | APIGuildCategoryChannel {
    const common = {
      id: channel.id,
      guild_id: channel.guildId,
      name: channel.name,
      position: channel.position,
      parent_id: channel.parentId,
      flags: NO_FLAGS as ChannelFlags,
      nsfw: false,
      permission_overwrites: channel.overwrites.map((o) => ({
        id: o.id,
        type: o.type,
        allow: o.allow.toString(),
        deny: o.deny.toString(),
      })),
    };
    if (channel.type === ChannelType.GuildCategory) return { ...common, parent_id: null, type: ChannelType.GuildCategory };
    const text = {
      ...common,
      topic: channel.topic,
      last_message_id: channel.lastMessageId,
      rate_limit_per_user: 0,
      last_pin_timestamp: null,
    };
    if (channel.type === ChannelType.GuildAnnouncement) return { ...text, type: ChannelType.GuildAnnouncement };
    return { ...text, type: ChannelType.GuildText };
  }

  guildPayload(guild: GuildRecord): APIGuild {
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id: guild.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: GuildVerificationLevel.Low,
      default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
      explicit_content_filter: GuildExplicitContentFilter.AllMembers,
      roles: [...guild.roles.values()].map(rolePayload),
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: GuildMFALevel.None,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: GuildSystemChannelFlags.SuppressJoinNotifications,
      rules_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: GuildPremiumTier.None,
      premium_subscription_count: 0,
      preferred_locale: guild.locale,
      public_updates_channel_id: null,
      nsfw_level: GuildNSFWLevel.Default,
      premium_progress_bar_enabled: false,
      hub_type: null,
      safety_alerts_channel_id: null,
      incidents_data: null,
      max_members: 500_000,
    };
  }

  /**
   * A GUILD_CREATE payload. Without the GUILD_PRESENCES intent Discord sends only
   * the bot's own member (docs: events/gateway-events.mdx, "Guild Create").
   */
  guildCreatePayload(guild: GuildRecord, allMembers: boolean): GatewayGuildCreateDispatchData {
    const members = allMembers
      ? [...guild.members.values()]
      : [...guild.members.values()].filter((m) => m.userId === this.bot.id);
    return {
      ...this.guildPayload(guild),
      // Discord marks a guild that loaded as available; discord.js keeps guild.available false without it.
      unavailable: false,
      joined_at: guild.joinedAt,
      large: guild.members.size > 250,
      member_count: guild.members.size,
      voice_states: [],
      members: members.map((m) => this.memberPayload(guild, m)),
      channels: [...guild.channels.values()].map((c) => this.channelPayload(c)),
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }
}

/** Discord's flag enums have no member for "none". */
const NO_FLAGS = 0;

export const GUILDS_INTENT = 1 << 0;
export const GUILD_MEMBERS_INTENT = 1 << 1;
export const GUILD_PRESENCES_INTENT = 1 << 8;
export const GUILD_MESSAGES_INTENT = 1 << 9;

export function rolePayload(role: RoleRecord): APIRole {
  return {
    id: role.id,
    name: role.name,
    color: role.color,
    colors: { primary_color: role.color, secondary_color: null, tertiary_color: null },
    hoist: role.hoist,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions.toString(),
    managed: role.managed,
    mentionable: false,
    flags: NO_FLAGS as RoleFlags,
    ...(role.botId ? { tags: { bot_id: role.botId } } : {}),
  };
}

/** Seeds name roles; an existing role id is accepted too. */
function roleIdByName(guild: GuildRecord, name: string): string {
  if (name === "@everyone") return guild.id;
  if (guild.roles.has(name)) return name;
  const role = [...guild.roles.values()].find((r) => r.name === name);
  if (!role) throw new Error(`guild ${guild.name} has no role named ${name}`);
  return role.id;
}

function categoryFirst(seed: ChannelSeed): number {
  return seed.type === ChannelType.GuildCategory ? 0 : 1;
}
