import { Client, GatewayIntentBits, Options, type APIAllowedMentions, type WebSocketOptions } from "discord.js";

export interface ShardOptions {
  /** The deployment's total number of shards. */
  count: number;
  /** The shards this process runs. */
  ids: number[];
  /** Paces IDENTIFYs across processes; unset: discord.js's own, in this process only. */
  identifyThrottler?: WebSocketOptions["buildIdentifyThrottler"];
}

/**
 * No message Warden sends pings anyone: reasons, notes and names are typed by
 * people, and an `@everyone` or a role mention in one would reach a whole
 * server. Discord parses mentions whenever a body leaves this out, so the
 * client sends it with everything it posts, and a body posted through
 * `client.rest` directly carries it itself.
 */
export const NO_MENTIONS = { parse: [] } satisfies APIAllowedMentions;

/**
 * Warden reads nothing but interactions and its guilds' roles and channels,
 * so it asks only for the Guilds intent and keeps no members, users,
 * messages, emojis or presences: memory stays flat as guilds are added.
 */
export function createDiscordClient(apiUrl: string, shards: ShardOptions): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    // Node's own fetch, not discord.js's bundled undici 6: the Open Cloud client's undici 7 may be the
    // process-wide dispatcher (whichever undici loads first installs it), and it cannot read the
    // multipart bodies undici 6 builds for file uploads. Fetch encodes its own bodies first.
    rest: { api: apiUrl, makeRequest: fetch },
    shards: shards.ids,
    shardCount: shards.count,
    ...(shards.identifyThrottler === undefined ? {} : { ws: { buildIdentifyThrottler: shards.identifyThrottler } }),
    allowedMentions: NO_MENTIONS,
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      ApplicationCommandManager: 0,
      AutoModerationRuleManager: 0,
      BaseGuildEmojiManager: 0,
      DMMessageManager: 0,
      EntitlementManager: 0,
      GuildBanManager: 0,
      GuildEmojiManager: 0,
      GuildForumThreadManager: 0,
      GuildInviteManager: 0,
      GuildMessageManager: 0,
      GuildScheduledEventManager: 0,
      GuildStickerManager: 0,
      GuildTextThreadManager: 0,
      MessageManager: 0,
      PresenceManager: 0,
      ReactionManager: 0,
      ReactionUserManager: 0,
      StageInstanceManager: 0,
      ThreadManager: 0,
      ThreadMemberManager: 0,
      UserManager: 0,
      VoiceStateManager: 0,
      // Members arrive with each interaction and are not needed after it; keep only the bot itself.
      GuildMemberManager: { maxSize: 0, keepOverLimit: (member) => member.id === member.client.user.id },
    }),
  });
}
