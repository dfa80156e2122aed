import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  APIApplicationCommand,
  APIApplicationCommandOptionChoice,
  APIApplicationCommandPermission,
  APIGuildApplicationCommandPermissions,
  APIMessage,
} from "discord.js";
import { registerApplicationRoutes } from "./application.js";
import { Cdn, type UploadInput } from "./cdn.js";
import { CommandStore, registerCommandRoutes, type CommandInvocation } from "./commands.js";
import { Gateway, type GatewaySessionInfo } from "./gateway.js";
import { registerGuildRoutes } from "./guilds.js";
import {
  Interactions,
  type AutocompleteRequest,
  type InteractionHandle,
  type ButtonClick,
  type ForgedClick,
  type ForgedModalSubmission,
  type ModalSubmission,
} from "./interactions.js";
import { MessageStore, registerMessageRoutes, type Ping } from "./messages.js";
import { RestServer, type InjectedFailure, type RateLimitOptions, type RecordedRequest } from "./rest.js";
import { World, type EmulatedGuild, type EmulatedMember, type GuildSeed, type MemberSeed, type RoleSeed } from "./state.js";
import { Waiters } from "./waiters.js";

export type { UploadInput } from "./cdn.js";
export type { CommandInvocation, OptionValue } from "./commands.js";
export { allChannelsPermissionId } from "./commandPermissions.js";
export type { GatewaySessionInfo } from "./gateway.js";
export type {
  AutocompleteRequest,
  ButtonClick,
  ForgedClick,
  ForgedModalSubmission,
  InteractionCallback,
  ModalSubmission,
} from "./interactions.js";
export { InteractionHandle } from "./interactions.js";
export { DiscordApiError } from "./errors.js";
export type { Ping } from "./messages.js";
export type { InjectedFailure, RateLimitOptions, RecordedRequest } from "./rest.js";
export type { ChannelSeed, EmulatedGuild, EmulatedMember, GuildSeed, MemberSeed, OverwriteSeed, RoleSeed } from "./state.js";

export interface DiscordEmulatorOptions {
  guilds?: GuildSeed[];
  /** Window for `maxConcurrency` IDENTIFYs; 0 (the default) lets a restarted bot identify at once. Discord's is 5000. */
  identifyWindowMs?: number;
  maxConcurrency?: number;
  /** Shard count `GET /gateway/bot` recommends. */
  shards?: number;
  heartbeatIntervalMs?: number;
  /** Time the bot has for its first callback; Discord's is 3000. */
  interactionDeadlineMs?: number;
  interactionTokenTtlMs?: number;
  /** Default wait of `waitFor*` methods. */
  waitTimeoutMs?: number;
  rateLimit?: RateLimitOptions;
  botUsername?: string;
}

/** A local Discord: gateway and REST for a real discord.js client, and methods to act as the people in its guilds. */
export class DiscordEmulator {
  /** Pass as discord.js `rest: { api }`; the client appends `/v10`. */
  readonly apiUrl: string;
  readonly gatewayUrl: string;
  /** Where attachment links point, as `https://cdn.discordapp.com` in Discord: the bot's DISCORD_CDN_URL. */
  readonly cdnUrl: string;
  readonly token: string;
  readonly applicationId: string;
  readonly botUserId: string;
  /** The guilds seeded at start, in order. */
  readonly guilds: EmulatedGuild[];

  /** @internal Built by startDiscordEmulator. */
  constructor(
    private readonly parts: {
      world: World;
      rest: RestServer;
      gateway: Gateway;
      commands: CommandStore;
      store: MessageStore;
      interactions: Interactions;
      waiters: Waiters;
      cdn: Cdn;
      waitTimeoutMs: number;
      close: () => Promise<void>;
    },
    urls: { api: string; gateway: string; cdn: string },
    token: string,
    guilds: EmulatedGuild[],
  ) {
    this.apiUrl = urls.api;
    this.gatewayUrl = urls.gateway;
    this.cdnUrl = urls.cdn;
    this.token = token;
    this.applicationId = parts.world.bot.id;
    this.botUserId = parts.world.bot.id;
    this.guilds = guilds;
  }

  /**
   * A file a member uploads with a command: its id is the value of an
   * attachment option in `runCommand`, and the interaction carries it with a
   * signed link that opens for `ttlMs` (a day by default).
   */
  uploadAttachment(input: UploadInput): string {
    return this.parts.cdn.upload(input).id;
  }

  /** The upload's link stops opening, as an old one does. */
  expireAttachment(id: string): void {
    this.parts.cdn.expire(id);
  }

  /** Every request the bot made, in order; the token is redacted. */
  get requests(): readonly RecordedRequest[] {
    return this.parts.rest.requests;
  }

  /**
   * Who the bot's messages notified: one entry per message created, or edited with
   * new content, that mentioned someone who can see it (see MessageStore.mentionFields).
   */
  get pings(): readonly Ping[] {
    return this.parts.store.pings;
  }

  /** Requests to routes Discord does not have (404 code 0) or with a method it does not take (405). */
  get unknownRoutes(): readonly RecordedRequest[] {
    return this.parts.rest.unknownRoutes;
  }

  /**
   * Refuses the bot's next request to a route with `error`, e.g. `{ method: "PATCH",
   * route: "/webhooks/:applicationId/:token/messages/:messageId", error }`.
   */
  failNextRequest(failure: InjectedFailure): void {
    this.parts.rest.failNext(failure);
  }

  /** Adds a guild the bot is in; a connected bot gets GUILD_CREATE as when it joins one. */
  addGuild(seed: GuildSeed = {}): EmulatedGuild {
    return this.parts.world.addGuild(seed);
  }

  guild(guildId: string): EmulatedGuild {
    return this.parts.world.describeGuild(this.parts.world.guild(guildId));
  }

  addMember(guildId: string, seed: MemberSeed): EmulatedMember {
    return this.parts.world.addMember(guildId, seed);
  }

  addRole(guildId: string, seed: RoleSeed): string {
    return this.parts.world.addRole(guildId, seed);
  }

  setMemberRoles(guildId: string, userId: string, roleIds: string[]): void {
    this.parts.world.setMemberRoles(guildId, userId, roleIds);
  }

  /** A member's permissions in a channel, computed as Discord does. */
  permissionsIn(channelId: string, userId: string): bigint {
    return this.parts.world.permissionsIn(channelId, userId);
  }

  runCommand(invocation: CommandInvocation): Promise<InteractionHandle> {
    return this.parts.interactions.runCommand(invocation);
  }

  autocomplete(request: AutocompleteRequest): Promise<APIApplicationCommandOptionChoice[]> {
    return this.parts.interactions.autocomplete(request);
  }

  clickButton(click: ButtonClick): Promise<InteractionHandle> {
    return this.parts.interactions.clickButton(click);
  }

  submitModal(submission: ModalSubmission): Promise<InteractionHandle> {
    return this.parts.interactions.submitModal(submission);
  }

  /** A hostile click: any custom id, whether or not the bot ever showed it (see ForgedClick). */
  forgeClick(click: ForgedClick): Promise<InteractionHandle> {
    return this.parts.interactions.forgeClick(click);
  }

  /** A hostile modal submission: any custom id, with no modal of the bot's open (see ForgedModalSubmission). */
  forgeModalSubmit(submission: ForgedModalSubmission): Promise<InteractionHandle> {
    return this.parts.interactions.forgeModalSubmit(submission);
  }

  /** Non-ephemeral messages in a channel, oldest first. */
  messages(channelId: string): APIMessage[] {
    return this.parts.store.visible(channelId);
  }

  /** A member with Manage Messages deletes one of the bot's messages, as a moderator tidying a channel does. */
  deleteMessage(messageId: string): void {
    const stored = this.parts.store.get(messageId);
    if (stored === undefined) throw new Error(`no message ${messageId}`);
    this.parts.store.delete(stored);
  }

  /** A message as it is now, ephemeral ones included. */
  message(messageId: string): APIMessage | undefined {
    const stored = this.parts.store.get(messageId);
    return stored && structuredClone(stored.message);
  }

  /** The oldest non-ephemeral message in the channel that satisfies the predicate now or after a later post or edit. */
  waitForMessage(
    channelId: string,
    predicate: (message: APIMessage) => boolean = () => true,
    timeoutMs = this.parts.waitTimeoutMs,
  ): Promise<APIMessage> {
    return this.parts.waiters.waitFor(
      () => this.parts.store.visible(channelId).find(predicate),
      timeoutMs,
      `a message in channel ${channelId}`,
    );
  }

  /**
   * Sets a guild's permission overrides as an admin does in Server Settings >
   * Integrations > Manage, replacing the earlier ones for that target; an empty
   * list removes them. The target is a command offered in the guild (by name or
   * id), or `applicationId` for the app-wide entries that apply to every command
   * without its own. Entries are `{ id, type: ROLE=1 | USER=2 | CHANNEL=3,
   * permission }`; the guild id is @everyone and `allChannelsPermissionId(guildId)`
   * (guild_id - 1) is every channel. A connected bot gets
   * APPLICATION_COMMAND_PERMISSIONS_UPDATE, and runCommand/autocomplete then
   * follow Discord's precedence (see commandPermissions.ts).
   */
  setCommandPermissions(
    guildId: string,
    commandNameOrId: string,
    permissions: readonly APIApplicationCommandPermission[],
  ): APIGuildApplicationCommandPermissions {
    const result = this.parts.commands.setPermissions(guildId, commandNameOrId, permissions);
    // Not tied to an intent (docs: events/gateway.mdx "Gateway Intents" does not list it).
    this.parts.world.dispatch(guildId, "APPLICATION_COMMAND_PERMISSIONS_UPDATE", structuredClone(result), null);
    return result;
  }

  /** A guild's permission overrides, one object per command (or the app) that has any. */
  commandPermissions(guildId: string): APIGuildApplicationCommandPermissions[] {
    this.parts.world.guild(guildId);
    return this.parts.commands.permissions.list(guildId);
  }

  /** Global commands, or one guild's. */
  registeredCommands(guildId?: string): APIApplicationCommand[] {
    return this.parts.commands.list(guildId ?? null);
  }

  gatewaySessions(): GatewaySessionInfo[] {
    return this.parts.gateway.sessionInfo();
  }

  /** How many IDENTIFYs the gateway accepted, and how many times it answered Invalid Session. */
  gatewayCounts(): { identifies: number; invalidSessions: number } {
    return { identifies: this.parts.gateway.identifyCount, invalidSessions: this.parts.gateway.invalidSessionCount };
  }

  /**
   * Accepts the IDENTIFYs from now on (they count in `gatewayCounts`) but sends their READY only once
   * the returned function is called: a bot held at its start, before it is connected.
   */
  holdReady(): () => void {
    return this.parts.gateway.holdReady();
  }

  /** Cuts the bot's sockets without a close frame; its sessions stay resumable. */
  dropGatewayConnections(): number {
    return this.parts.gateway.dropConnections();
  }

  /** Forgets the bot's sessions and cuts its sockets, so it must IDENTIFY again. */
  invalidateGatewaySessions(): void {
    this.parts.gateway.invalidateSessions();
  }

  close(): Promise<void> {
    return this.parts.close();
  }
}

export async function startDiscordEmulator(options: DiscordEmulatorOptions = {}): Promise<DiscordEmulator> {
  const world = new World(options.botUsername ?? "Warden");
  const token = [
    Buffer.from(world.bot.id).toString("base64url"),
    randomBytes(4).toString("base64url"),
    randomBytes(27).toString("base64url"),
  ].join(".");
  const waitTimeoutMs = options.waitTimeoutMs ?? 10_000;
  const maxConcurrency = options.maxConcurrency ?? 1;
  const identifyWindowMs = options.identifyWindowMs ?? 0;
  const waiters = new Waiters();
  const rest = new RestServer(token, options.rateLimit ?? { limit: 50, windowMs: 1000 });
  const gateway = new Gateway(world, {
    token,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
    identifyWindowMs,
    maxConcurrency,
    shards: options.shards ?? 1,
  });
  const commands = new CommandStore(world, world.bot.id);
  let cdnUrl = "";
  const cdn = new Cdn(world, () => cdnUrl);
  const store = new MessageStore(world, waiters, world.bot.id, cdn);
  const interactions = new Interactions(world, gateway, commands, store, waiters, {
    applicationId: world.bot.id,
    deadlineMs: options.interactionDeadlineMs ?? 3000,
    tokenTtlMs: options.interactionTokenTtlMs ?? 15 * 60_000,
    waitTimeoutMs,
  });

  registerApplicationRoutes(rest, world, {
    url: () => gateway.url,
    shards: options.shards ?? 1,
    limit: { total: 1000, maxConcurrency, resetAfterMs: Math.max(identifyWindowMs, 1000), used: () => gateway.identifyCount },
  });
  registerGuildRoutes(rest, world);
  registerCommandRoutes(rest, world, commands, world.bot.id);
  registerMessageRoutes(rest, world, store);
  world.attachment = (id) => {
    const upload = cdn.get(id);
    return upload === undefined ? undefined : cdn.attachmentPayload(upload);
  };
  interactions.registerRoutes(rest);

  const server = createServer((req, res) => {
    if (cdn.handle(req, res)) return;
    rest.handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ message: String(error), code: 0 }));
    });
  });
  server.on("upgrade", (req, socket, head) => {
    if (new URL(req.url ?? "/", "http://localhost").pathname === "/gateway") gateway.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  cdnUrl = `http://127.0.0.1:${port}/cdn`;
  gateway.url = `ws://127.0.0.1:${port}/gateway`;

  const guilds = (options.guilds ?? []).map((seed) => world.addGuild(seed));
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      waiters.rejectAll("the local Discord was closed");
      interactions.close();
      gateway.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }));

  return new DiscordEmulator(
    { world, rest, gateway, commands, store, interactions, waiters, cdn, waitTimeoutMs, close },
    { api: `http://127.0.0.1:${port}/api`, gateway: gateway.url, cdn: cdnUrl },
    token,
    guilds,
  );
}
