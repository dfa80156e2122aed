import {
  ChannelType,
  InteractionType,
  MessageFlags,
  MessageType,
  PermissionFlagsBits,
  type APIAttachment,
  type APIEmbed,
  type APIMessage,
  type APIMessageTopLevelComponent,
} from "discord.js";
import { DiscordApiError, missingAccess, missingPermissions, notAuthor, unknownChannel, unknownMessage } from "./errors.js";
import { hasPermission } from "./permissions.js";
import type { Cdn } from "./cdn.js";
import type { RestServer, UploadedFile } from "./rest.js";
import { GUILD_MESSAGES_INTENT, type ChannelRecord, type World } from "./state.js";
import { isObject, validateMessage, type MessageInput } from "./validation.js";
import type { Waiters } from "./waiters.js";

/** The interaction a message answers, for `interaction_metadata`. */
export interface InteractionOrigin {
  id: string;
  type: InteractionType;
  userId: string;
  guildId: string;
  /** Command name for command replies. */
  commandName?: string;
}

export interface StoredMessage {
  message: APIMessage;
  guildId: string;
  ephemeral: boolean;
  /** Ephemeral messages are visible to this user only. */
  visibleTo: string | null;
  deleted: boolean;
}

/**
 * Where a message body came from, which decides what an absent `allowed_mentions`
 * means: a regular channel message parses every mention, an interaction response
 * or webhook message only user mentions (docs: resources/message.mdx "Default
 * Settings for Allowed Mentions").
 */
export type MentionContext = "channel" | "interaction";

const DEFAULT_PARSE: Record<MentionContext, readonly string[]> = {
  channel: ["users", "roles", "everyone"],
  interaction: ["users"],
};

/** Who one message, as created or edited, notifies. */
export interface Ping {
  messageId: string;
  channelId: string;
  userIds: string[];
}

type MentionFields = Pick<APIMessage, "mentions" | "mention_roles" | "mention_everyone">;

/** Flags a bot may set when creating a channel message (docs: resources/message.mdx "Create Message"). */
export const CHANNEL_MESSAGE_FLAGS = MessageFlags.SuppressEmbeds | MessageFlags.SuppressNotifications | MessageFlags.IsComponentsV2;
/** Flags an interaction response or follow-up may set (docs: interactions/receiving-and-responding.mdx "Messages"). */
export const INTERACTION_MESSAGE_FLAGS =
  CHANNEL_MESSAGE_FLAGS | MessageFlags.Ephemeral | MessageFlags.IsVoiceMessage;

/** Every message the bot has posted, ephemeral ones included. */
export class MessageStore {
  private readonly byId = new Map<string, StoredMessage>();
  private readonly byChannel = new Map<string, string[]>();
  /** Every create or edit that notified someone, in order. */
  readonly pings: Ping[] = [];

  constructor(
    private readonly world: World,
    private readonly waiters: Waiters,
    private readonly applicationId: string,
    private readonly cdn: Cdn,
  ) {}

  get(messageId: string): StoredMessage | undefined {
    const stored = this.byId.get(messageId);
    return stored && !stored.deleted ? stored : undefined;
  }

  /** Messages everyone in the channel sees, oldest first. */
  visible(channelId: string): APIMessage[] {
    return (this.byChannel.get(channelId) ?? [])
      .map((id) => this.byId.get(id))
      .filter((s): s is StoredMessage => s !== undefined && !s.deleted && !s.ephemeral)
      .map((s) => structuredClone(s.message));
  }

  create(
    channel: ChannelRecord,
    input: MessageInput,
    options: { files?: UploadedFile[]; interaction?: InteractionOrigin; loading?: boolean } = {},
  ): StoredMessage {
    const id = this.world.ids.next();
    const flags = (input.flags ?? 0) | (options.loading ? MessageFlags.Loading : 0);
    const ephemeral = (flags & MessageFlags.Ephemeral) !== 0;
    const origin = options.interaction;
    const message: APIMessage = {
      id,
      channel_id: channel.id,
      author: this.world.userPayload(this.world.bot),
      content: input.content ?? "",
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      ...this.mentionFields(channel, input, options.interaction ? "interaction" : "channel"),
      attachments: this.attachments(channel.id, [], input, options.files ?? []),
      embeds: [],
      components: withComponentIds(input.components),
      pinned: false,
      type: origin?.type === InteractionType.ApplicationCommand ? MessageType.ChatInputCommand : MessageType.Default,
      flags,
      ...(origin ? this.interactionFields(origin) : {}),
    };
    message.embeds = withAttachmentUrls(normalizeEmbeds(input.embeds), message.attachments);
    const stored: StoredMessage = { message, guildId: channel.guildId, ephemeral, visibleTo: ephemeral && origin ? origin.userId : null, deleted: false };
    this.byId.set(id, stored);
    this.recordPings(stored);
    const list = this.byChannel.get(channel.id) ?? [];
    list.push(id);
    this.byChannel.set(channel.id, list);
    if (!ephemeral) {
      channel.lastMessageId = id;
      this.world.dispatch(channel.guildId, "MESSAGE_CREATE", this.eventPayload(stored), GUILD_MESSAGES_INTENT);
    }
    this.waiters.notify();
    return stored;
  }

  /** Applies an edit; a loading (deferred) message stops loading and keeps its ephemeral flag. */
  edit(stored: StoredMessage, input: MessageInput, context: MentionContext, files: UploadedFile[] = []): StoredMessage {
    const message = stored.message;
    const wasLoading = ((message.flags ?? 0) & MessageFlags.Loading) !== 0;
    if (input.content !== undefined) message.content = input.content ?? "";
    if (input.embeds !== undefined) message.embeds = normalizeEmbeds(input.embeds);
    if (input.components !== undefined) message.components = withComponentIds(input.components);
    // Edited content has its mentions parsed again from scratch, by this request's allowances (docs: "Edit Message").
    const remention = input.content !== undefined || input.allowed_mentions !== undefined;
    if (remention) {
      const channel = this.world.channel(message.channel_id);
      if (channel) Object.assign(message, this.mentionFields(channel, { ...input, content: message.content }, context));
    }
    if (input.attachments !== undefined || files.length > 0) {
      const before = message.attachments;
      message.attachments = this.attachments(message.channel_id, message.attachments, input, files);
      for (const dropped of before.filter((old) => !message.attachments.some((kept) => kept.id === old.id))) this.cdn.forget(dropped.id);
    }
    message.embeds = withAttachmentUrls(message.embeds, message.attachments);
    const kept = (message.flags ?? 0) & (MessageFlags.Ephemeral | MessageFlags.IsComponentsV2);
    const changeable = MessageFlags.SuppressEmbeds;
    const requested = input.flags === undefined || input.flags === null ? (message.flags ?? 0) & changeable : input.flags & changeable;
    message.flags = kept | requested;
    if (!wasLoading) message.edited_timestamp = new Date().toISOString();
    if (remention) this.recordPings(stored);
    if (!stored.ephemeral) this.world.dispatch(stored.guildId, "MESSAGE_UPDATE", this.eventPayload(stored), GUILD_MESSAGES_INTENT);
    this.waiters.notify();
    return stored;
  }

  delete(stored: StoredMessage): void {
    stored.deleted = true;
    for (const attachment of stored.message.attachments) this.cdn.forget(attachment.id);
    if (!stored.ephemeral) {
      this.world.dispatch(
        stored.guildId,
        "MESSAGE_DELETE",
        { id: stored.message.id, channel_id: stored.message.channel_id, guild_id: stored.guildId },
        GUILD_MESSAGES_INTENT,
      );
    }
    this.waiters.notify();
  }

  private interactionFields(origin: InteractionOrigin): Partial<APIMessage> {
    const user = this.world.userPayload(this.world.user(origin.userId));
    return {
      webhook_id: this.applicationId,
      application_id: this.applicationId,
      interaction_metadata: {
        id: origin.id,
        type: origin.type,
        user,
        authorizing_integration_owners: { "0": origin.guildId },
      } as APIMessage["interaction_metadata"],
      ...(origin.commandName
        ? { interaction: { id: origin.id, type: origin.type, name: origin.commandName, user } }
        : {}),
    };
  }

  private eventPayload(stored: StoredMessage): unknown {
    const guild = this.world.guild(stored.guildId);
    const botMember = guild.members.get(this.world.bot.id);
    if (!botMember) return { ...stored.message, guild_id: stored.guildId };
    // MESSAGE_CREATE carries the author's member without its user (docs: events/gateway-events.mdx "Message Create").
    const { user: _user, ...member } = this.world.memberPayload(guild, botMember);
    return { ...stored.message, guild_id: stored.guildId, member };
  }

  /**
   * The mentions in the content that `allowed_mentions` (or the context's default)
   * lets through, and that the bot may make: @everyone, @here and roles that are
   * not mentionable need its Mention Everyone permission (docs: resources/message.mdx
   * "Allowed Mentions Object"). Roles here are never mentionable. Mentions in embeds
   * never count.
   */
  private mentionFields(channel: ChannelRecord, input: MessageInput, context: MentionContext): MentionFields {
    const content = input.content ?? "";
    const allowed = isObject(input.allowed_mentions) ? input.allowed_mentions : { parse: DEFAULT_PARSE[context] };
    const parse = Array.isArray(allowed.parse) ? allowed.parse : [];
    const listed = (key: "users" | "roles") => (Array.isArray(allowed[key]) ? allowed[key].map(String) : []);
    const allows = (type: "users" | "roles", id: string) => parse.includes(type) || listed(type).includes(id);
    const mayMentionEveryone = hasPermission(this.world.permissionsIn(channel.id, this.world.bot.id), PermissionFlagsBits.MentionEveryone);
    const guild = this.world.guild(channel.guildId);
    const matches = (pattern: RegExp) => [...new Set([...content.matchAll(pattern)].map((m) => m[1] as string))];
    return {
      mentions: matches(/<@!?(\d{17,20})>/g)
        .filter((id) => allows("users", id))
        .map((id) => this.world.users.get(id))
        .filter((u) => u !== undefined)
        .map((u) => this.world.userPayload(u)),
      mention_roles: matches(/<@&(\d{17,20})>/g).filter((id) => guild.roles.has(id) && allows("roles", id) && mayMentionEveryone),
      mention_everyone: /@(?:everyone|here)/.test(content) && parse.includes("everyone") && mayMentionEveryone,
    };
  }

  /**
   * The members a message notifies: those it mentions, holds a mentioned role of, or
   * all of them for @everyone and @here (the local Discord has no presence, so @here
   * counts everyone), as far as they can see it.
   */
  private recordPings(stored: StoredMessage): void {
    const { message } = stored;
    const guild = this.world.guild(stored.guildId);
    const mentioned = new Set(message.mentions.map((user) => user.id));
    const userIds = [...guild.members.values()]
      .filter(
        (member) =>
          message.mention_everyone || mentioned.has(member.userId) || member.roleIds.some((roleId) => message.mention_roles.includes(roleId)),
      )
      .map((member) => member.userId)
      .filter((userId) => userId !== this.world.bot.id)
      .filter((userId) => stored.visibleTo === null || stored.visibleTo === userId)
      .filter((userId) => hasPermission(this.world.permissionsIn(message.channel_id, userId), PermissionFlagsBits.ViewChannel));
    if (userIds.length > 0) this.pings.push({ messageId: message.id, channelId: message.channel_id, userIds });
  }

  /** Keeps the attachments the body lists by id and adds uploaded files (docs: reference.mdx "Uploading Files"). */
  private attachments(channelId: string, existing: APIAttachment[], input: MessageInput, files: UploadedFile[]): APIAttachment[] {
    const listed = input.attachments ?? undefined;
    const kept = listed === undefined ? existing : existing.filter((a) => listed.some((l) => String(l.id) === a.id));
    const added = files.map((file, index) => {
      const fileIndex = /^files\[(\d+)\]$/.exec(file.field)?.[1] ?? String(index);
      const entry = listed?.find((l) => String(l.id) === fileIndex);
      const filename = typeof entry?.filename === "string" ? entry.filename : file.name;
      const { id, url } = this.cdn.keepMessageFile(channelId, filename, file.data, file.contentType || undefined);
      return {
        id,
        filename,
        size: file.size,
        url,
        proxy_url: url,
        ...(file.contentType ? { content_type: file.contentType } : {}),
        ...(typeof entry?.description === "string" ? { description: entry.description } : {}),
      };
    });
    return [...kept, ...added];
  }
}

/**
 * An embed's `attachment://<filename>` images point at the message's file of
 * that name once sent, as Discord resolves them (docs: reference.mdx
 * "Uploading Files", "Using Attachments within Embeds").
 */
function withAttachmentUrls(embeds: APIEmbed[], attachments: readonly APIAttachment[]): APIEmbed[] {
  const resolve = <T extends { url?: string; proxy_url?: string }>(media: T | undefined): T | undefined => {
    const name = media?.url?.startsWith("attachment://") ? media.url.slice("attachment://".length) : undefined;
    const file = name === undefined ? undefined : attachments.find((attachment) => attachment.filename === name);
    return media === undefined || file === undefined ? media : { ...media, url: file.url, proxy_url: file.proxy_url };
  };
  return embeds.map((embed) => {
    const resolved = { ...embed };
    if (embed.image) resolved.image = resolve(embed.image);
    if (embed.thumbnail) resolved.thumbnail = resolve(embed.thumbnail);
    return resolved;
  });
}

function normalizeEmbeds(embeds: APIEmbed[] | null | undefined): APIEmbed[] {
  return (embeds ?? []).map((embed) => ({ type: "rich", ...structuredClone(embed) }) as APIEmbed);
}

/** Discord numbers components that came without an `id` (docs: components/reference.mdx "Anatomy of a Component"). */
export function withComponentIds<T>(components: T[] | null | undefined): APIMessageTopLevelComponent[] {
  const copy = structuredClone(components ?? []) as unknown[];
  const used = new Set<number>();
  const all: Record<string, unknown>[] = [];
  const walk = (node: unknown): void => {
    if (!isObject(node)) return;
    all.push(node);
    if (typeof node.id === "number" && node.id > 0) used.add(node.id);
    for (const key of ["components", "component", "accessory", "items"]) {
      const child = node[key];
      if (Array.isArray(child)) child.forEach(walk);
      else walk(child);
    }
  };
  copy.forEach(walk);
  let next = 1;
  for (const node of all) {
    if (typeof node.id === "number" && node.id > 0) continue;
    while (used.has(next)) next += 1;
    node.id = next;
    used.add(next);
  }
  return copy as APIMessageTopLevelComponent[];
}

const TEXT_CHANNEL_TYPES = new Set<ChannelType>([ChannelType.GuildText, ChannelType.GuildAnnouncement]);

/** Channel and channel-message routes a bot uses (docs: resources/channel.mdx, resources/message.mdx). */
export function registerMessageRoutes(rest: RestServer, world: World, store: MessageStore): void {
  const channelOf = (channelId: string | undefined): ChannelRecord => {
    const channel = channelId === undefined ? undefined : world.channel(channelId);
    if (!channel) throw unknownChannel();
    if (!hasPermission(world.permissionsIn(channel.id, world.bot.id), PermissionFlagsBits.ViewChannel)) throw missingAccess();
    return channel;
  };
  const messageOf = (channel: ChannelRecord, messageId: string | undefined): StoredMessage => {
    const stored = messageId === undefined ? undefined : store.get(messageId);
    // Ephemeral messages cannot be reached through the channel.
    if (!stored || stored.ephemeral || stored.message.channel_id !== channel.id) throw unknownMessage();
    return stored;
  };
  const can = (channel: ChannelRecord, flag: bigint) => hasPermission(world.permissionsIn(channel.id, world.bot.id), flag);

  rest.route("GET", "/channels/:channelId", ({ params }) => ({ status: 200, body: world.channelPayload(channelOf(params.channelId)) }));

  rest.route("POST", "/channels/:channelId/messages", ({ params, body, files }) => {
    const channel = channelOf(params.channelId);
    if (!TEXT_CHANNEL_TYPES.has(channel.type)) throw new DiscordApiError(400, 50008, "Cannot send messages in a non-text channel");
    if (!can(channel, PermissionFlagsBits.SendMessages)) throw missingPermissions();
    const input = validateMessage(body, { create: true, allowedFlags: CHANNEL_MESSAGE_FLAGS });
    if ((input.embeds ?? []).length > 0 && !can(channel, PermissionFlagsBits.EmbedLinks)) throw missingPermissions();
    if (files.length > 0 && !can(channel, PermissionFlagsBits.AttachFiles)) throw missingPermissions();
    return { status: 200, body: structuredClone(store.create(channel, input, { files }).message) };
  });

  rest.route("GET", "/channels/:channelId/messages", ({ params, query }) => {
    const channel = channelOf(params.channelId);
    // Without Read Message History Discord answers with an empty list.
    if (!can(channel, PermissionFlagsBits.ReadMessageHistory)) return { status: 200, body: [] };
    const limit = Math.min(100, Math.max(1, Number(query.get("limit") ?? 50)));
    const before = query.get("before");
    const after = query.get("after");
    let list = store.visible(channel.id);
    if (before) list = list.filter((m) => BigInt(m.id) < BigInt(before));
    if (after) list = list.filter((m) => BigInt(m.id) > BigInt(after));
    const page = after ? list.slice(0, limit) : list.slice(-limit);
    return { status: 200, body: page.reverse() };
  });

  rest.route("GET", "/channels/:channelId/messages/:messageId", ({ params }) => {
    const channel = channelOf(params.channelId);
    if (!can(channel, PermissionFlagsBits.ReadMessageHistory)) throw missingAccess();
    return { status: 200, body: structuredClone(messageOf(channel, params.messageId).message) };
  });

  rest.route("PATCH", "/channels/:channelId/messages/:messageId", ({ params, body, files }) => {
    const channel = channelOf(params.channelId);
    const stored = messageOf(channel, params.messageId);
    if (stored.message.author.id !== world.bot.id) throw notAuthor();
    const input = validateMessage(body, { create: false, allowedFlags: CHANNEL_MESSAGE_FLAGS });
    if ((input.embeds ?? []).length > 0 && !can(channel, PermissionFlagsBits.EmbedLinks)) throw missingPermissions();
    return { status: 200, body: structuredClone(store.edit(stored, input, "channel", files).message) };
  });

  rest.route("DELETE", "/channels/:channelId/messages/:messageId", ({ params }) => {
    const channel = channelOf(params.channelId);
    const stored = messageOf(channel, params.messageId);
    if (stored.message.author.id !== world.bot.id && !can(channel, PermissionFlagsBits.ManageMessages)) throw missingPermissions();
    store.delete(stored);
    return { status: 204 };
  });
}
