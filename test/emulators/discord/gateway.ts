import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { GatewayCloseCodes, GatewayOpcodes, type ApplicationFlags, type GatewayReadyDispatchData } from "discord.js";
import { WebSocketServer, type WebSocket } from "ws";
import { GUILD_PRESENCES_INTENT, type GuildRecord, type World } from "./state.js";
import { isObject } from "./validation.js";

export interface GatewayOptions {
  token: string;
  heartbeatIntervalMs: number;
  /** Window in which `maxConcurrency` IDENTIFYs per bucket are allowed; 0 turns the limit off. Discord's is 5000. */
  identifyWindowMs: number;
  maxConcurrency: number;
  /** Shard count recommended by `GET /gateway/bot`. */
  shards: number;
}

export interface GatewaySessionInfo {
  sessionId: string;
  shard: [number, number];
  intents: number;
  sequence: number;
  connected: boolean;
}

interface Dispatch {
  op: GatewayOpcodes.Dispatch;
  s: number;
  t: string;
  d: unknown;
}

interface Session {
  id: string;
  shard: [number, number];
  intents: number;
  seq: number;
  /** Dispatches kept for RESUME to replay. */
  log: Dispatch[];
  connection: Connection | null;
}

interface Connection {
  socket: WebSocket;
  session: Session | null;
  heartbeatDeadline: NodeJS.Timeout | null;
}

/** Discord closes sharded bots above this many guilds per shard (docs: events/gateway.mdx "Sharding"). */
const MAX_GUILDS_PER_SHARD = 2500;
const REPLAY_LOG_LIMIT = 10_000;
/** ApplicationFlags has no member for "none". */
const NO_APPLICATION_FLAGS = 0 as ApplicationFlags;

/** The gateway half of the local Discord (docs: events/gateway.mdx, events/gateway-events.mdx). */
export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private readonly lastIdentify = new Map<number, number>();
  private readonly connections = new Set<Connection>();
  identifyCount = 0;
  /** Invalid Session answers sent: an IDENTIFY over the concurrency limit, or a RESUME of an unknown session. */
  invalidSessionCount = 0;
  /** ws:// URL of the gateway; set once the server listens. */
  url = "";
  /** While set, IDENTIFYs are accepted but their READY waits for it: Discord slow to let a session in. */
  private readyHeld: Promise<void> | undefined;

  constructor(
    private readonly world: World,
    private readonly options: GatewayOptions,
  ) {
    world.dispatch = (guildId, event, data, intent) => this.dispatch(guildId, event, data, intent);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const version = new URL(req.url ?? "/", "http://localhost").searchParams.get("v");
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (version !== null && version !== "10") ws.close(GatewayCloseCodes.InvalidAPIVersion, "Invalid API version.");
      else this.open(ws);
    });
  }

  private open(socket: WebSocket): void {
    const connection: Connection = { socket, session: null, heartbeatDeadline: null };
    this.connections.add(connection);
    socket.on("message", (data) => this.receive(connection, String(data)));
    socket.on("close", () => {
      this.connections.delete(connection);
      if (connection.heartbeatDeadline) clearTimeout(connection.heartbeatDeadline);
      if (connection.session?.connection === connection) connection.session.connection = null;
    });
    this.send(connection, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs }, s: null, t: null });
    this.expectHeartbeat(connection);
  }

  /** A connection that stops heartbeating is closed, as Discord does with zombies. */
  private expectHeartbeat(connection: Connection): void {
    if (connection.heartbeatDeadline) clearTimeout(connection.heartbeatDeadline);
    connection.heartbeatDeadline = setTimeout(
      () => connection.socket.close(GatewayCloseCodes.SessionTimedOut, "Session timed out"),
      this.options.heartbeatIntervalMs * 2 + 1000,
    );
  }

  private receive(connection: Connection, text: string): void {
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      connection.socket.close(GatewayCloseCodes.DecodeError, "Error while decoding payload.");
      return;
    }
    if (!isObject(payload)) {
      connection.socket.close(GatewayCloseCodes.DecodeError, "Error while decoding payload.");
      return;
    }
    const d = payload.d;
    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        this.expectHeartbeat(connection);
        this.send(connection, { op: GatewayOpcodes.HeartbeatAck });
        return;
      case GatewayOpcodes.Identify:
        this.identify(connection, d);
        return;
      case GatewayOpcodes.Resume:
        this.resume(connection, d);
        return;
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.VoiceStateUpdate:
        if (!connection.session) connection.socket.close(GatewayCloseCodes.NotAuthenticated, "Not authenticated.");
        return;
      case GatewayOpcodes.RequestGuildMembers:
        if (!connection.session) connection.socket.close(GatewayCloseCodes.NotAuthenticated, "Not authenticated.");
        else this.requestGuildMembers(connection.session, d);
        return;
      default:
        connection.socket.close(GatewayCloseCodes.UnknownOpcode, "Unknown opcode.");
    }
  }

  private identify(connection: Connection, d: unknown): void {
    if (connection.session) {
      connection.socket.close(GatewayCloseCodes.AlreadyAuthenticated, "Already authenticated.");
      return;
    }
    if (!isObject(d) || d.token !== this.options.token) {
      connection.socket.close(GatewayCloseCodes.AuthenticationFailed, "Authentication failed.");
      return;
    }
    if (typeof d.intents !== "number" || !Number.isInteger(d.intents) || d.intents < 0) {
      connection.socket.close(GatewayCloseCodes.InvalidIntents, "Invalid intent(s).");
      return;
    }
    const shard = parseShard(d.shard);
    if (!shard) {
      connection.socket.close(GatewayCloseCodes.InvalidShard, "Invalid shard.");
      return;
    }
    const guilds = [...this.world.guilds.values()].filter((g) => shardOf(g.id, shard[1]) === shard[0]);
    if (guilds.length > MAX_GUILDS_PER_SHARD) {
      connection.socket.close(GatewayCloseCodes.ShardingRequired, "Sharding required.");
      return;
    }
    // max_concurrency IDENTIFYs per window per bucket; beyond that Discord answers Invalid Session.
    const bucket = shard[0] % this.options.maxConcurrency;
    const now = Date.now();
    const last = this.lastIdentify.get(bucket);
    if (this.options.identifyWindowMs > 0 && last !== undefined && now - last < this.options.identifyWindowMs) {
      this.invalidSessionCount += 1;
      this.send(connection, { op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
      return;
    }
    this.lastIdentify.set(bucket, now);
    this.identifyCount += 1;
    const welcome = this.welcome.bind(this, connection, shard, d.intents, guilds);
    if (this.readyHeld === undefined) welcome();
    else void this.readyHeld.then(welcome);
  }

  /** Until the returned function is called, the sessions of IDENTIFYs accepted from now on get no READY. */
  holdReady(): () => void {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    this.readyHeld = released;
    return () => {
      if (this.readyHeld === released) this.readyHeld = undefined;
      release();
    };
  }

  private welcome(connection: Connection, shard: [number, number], intents: number, guilds: readonly GuildRecord[]): void {
    const session: Session = { id: randomBytes(16).toString("hex"), shard, intents, seq: 0, log: [], connection };
    this.sessions.set(session.id, session);
    connection.session = session;
    const ready: GatewayReadyDispatchData = {
      v: 10,
      user: { ...this.world.userPayload(this.world.bot), verified: true, mfa_enabled: false },
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.url,
      shard,
      application: { id: this.world.bot.id, flags: NO_APPLICATION_FLAGS, flags_new: "0" },
    };
    this.push(session, "READY", ready);
    const allMembers = (session.intents & GUILD_PRESENCES_INTENT) !== 0;
    for (const guild of guilds) this.push(session, "GUILD_CREATE", this.world.guildCreatePayload(guild, allMembers));
  }

  private resume(connection: Connection, d: unknown): void {
    if (!isObject(d) || d.token !== this.options.token) {
      connection.socket.close(GatewayCloseCodes.AuthenticationFailed, "Authentication failed.");
      return;
    }
    const session = typeof d.session_id === "string" ? this.sessions.get(d.session_id) : undefined;
    const seq = typeof d.seq === "number" ? d.seq : -1;
    const oldest = session?.log[0]?.s ?? 1;
    if (!session || seq < oldest - 1 || seq > session.seq) {
      this.invalidSessionCount += 1;
      this.send(connection, { op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
      return;
    }
    if (session.connection && session.connection !== connection) session.connection.socket.terminate();
    session.connection = connection;
    connection.session = session;
    for (const entry of session.log) if (entry.s > seq) this.send(connection, entry);
    this.push(session, "RESUMED", {});
  }

  private requestGuildMembers(session: Session, d: unknown): void {
    if (!isObject(d) || typeof d.guild_id !== "string") return;
    const guild = this.world.guilds.get(d.guild_id);
    if (!guild) return;
    const ids = Array.isArray(d.user_ids) ? d.user_ids : typeof d.user_ids === "string" ? [d.user_ids] : null;
    const query = typeof d.query === "string" ? d.query.toLowerCase() : "";
    const limit = typeof d.limit === "number" && d.limit > 0 ? d.limit : Number.POSITIVE_INFINITY;
    const members = [...guild.members.values()]
      .filter((m) => (ids ? ids.includes(m.userId) : this.world.user(m.userId).username.toLowerCase().startsWith(query)))
      .slice(0, limit);
    this.push(session, "GUILD_MEMBERS_CHUNK", {
      guild_id: guild.id,
      members: members.map((m) => this.world.memberPayload(guild, m)),
      chunk_index: 0,
      chunk_count: 1,
      ...(ids ? { not_found: ids.filter((id) => !guild.members.has(String(id))) } : {}),
      ...(d.nonce !== undefined ? { nonce: d.nonce } : {}),
    });
  }

  private push(session: Session, event: string, data: unknown): void {
    session.seq += 1;
    const entry: Dispatch = { op: GatewayOpcodes.Dispatch, s: session.seq, t: event, d: data };
    session.log.push(entry);
    if (session.log.length > REPLAY_LOG_LIMIT) session.log.shift();
    if (session.connection) this.send(session.connection, entry);
  }

  private send(connection: Connection, payload: object): void {
    if (connection.socket.readyState === connection.socket.OPEN) connection.socket.send(JSON.stringify(payload));
  }

  /**
   * Sends an event to every session that routes the guild (docs: events/gateway.mdx
   * "Sharding": events without a guild go to shard 0) and asked for its intent.
   */
  dispatch(guildId: string | null, event: string, data: unknown, intent: number | null): void {
    for (const session of this.sessions.values()) {
      if (!routes(session, guildId)) continue;
      if (intent !== null && (session.intents & intent) === 0) continue;
      this.push(session, event, data);
    }
  }

  /** An interaction goes to one session only: the newest one routing its guild. */
  deliverInteraction(guildId: string, data: unknown): void {
    const session = [...this.sessions.values()].reverse().find((s) => routes(s, guildId));
    if (!session) throw new Error("no bot session on the local Discord gateway receives this guild's interactions");
    this.push(session, "INTERACTION_CREATE", data);
  }

  sessionInfo(): GatewaySessionInfo[] {
    return [...this.sessions.values()].map((s) => ({
      sessionId: s.id,
      shard: s.shard,
      intents: s.intents,
      sequence: s.seq,
      connected: s.connection !== null,
    }));
  }

  /** Cuts every socket without a close frame; sessions stay resumable. */
  dropConnections(): number {
    const count = this.connections.size;
    for (const connection of this.connections) connection.socket.terminate();
    return count;
  }

  /** Forgets every session and cuts the sockets, so the bot has to IDENTIFY again. */
  invalidateSessions(): void {
    this.sessions.clear();
    this.dropConnections();
  }

  close(): void {
    for (const connection of this.connections) {
      if (connection.heartbeatDeadline) clearTimeout(connection.heartbeatDeadline);
      connection.socket.terminate();
    }
    this.sessions.clear();
    this.wss.close();
  }
}

export function shardOf(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

function routes(session: Session, guildId: string | null): boolean {
  const [id, count] = session.shard;
  return guildId === null ? id === 0 : shardOf(guildId, count) === id;
}

function parseShard(value: unknown): [number, number] | null {
  if (value === undefined) return [0, 1];
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [id, count] = value as unknown[];
  if (typeof id !== "number" || typeof count !== "number" || count < 1 || id < 0 || id >= count) return null;
  return [id, count];
}
