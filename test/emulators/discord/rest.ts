import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { DiscordApiError, invalidJson, methodNotAllowed, notFound, unauthorized } from "./errors.js";
import { isObject } from "./validation.js";

export interface RecordedRequest {
  method: string;
  /** Path after `/api/v10`, e.g. `/channels/123/messages`. */
  path: string;
  /** The matched route pattern, e.g. `/channels/:channelId/messages`; null when unknown. */
  route: string | null;
  query: Record<string, string>;
  body: unknown;
  /** Request headers; the token in `authorization` is redacted. */
  headers: Record<string, string>;
  status: number;
  response: unknown;
}

export interface UploadedFile {
  field: string;
  name: string;
  size: number;
  contentType: string;
  data: Buffer;
}

export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  files: UploadedFile[];
  /** The request carried the bot's own token (`Bot <token>`). */
  bot: boolean;
}

export interface RouteResponse {
  status: number;
  body?: unknown;
}

export type RouteHandler = (req: RouteRequest) => RouteResponse | Promise<RouteResponse>;

/** A failure a test arranges: the next request to `route` (a pattern as registered) with `method` gets `error`. */
export interface InjectedFailure {
  method: string;
  route: string;
  error: DiscordApiError;
}

interface Route {
  method: string;
  pattern: string;
  segments: string[];
  /** Interaction callbacks and webhooks authenticate by the token in their path. */
  auth: boolean;
  handler: RouteHandler;
}

export interface RateLimitOptions {
  /** Requests per bucket per window. */
  limit: number;
  windowMs: number;
}

/**
 * Per-route buckets keyed on the route plus its top-level resource, answered with
 * the headers of docs: topics/rate-limits.mdx. A client that honours them never
 * sees a 429; one that ignores them does.
 */
class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(private readonly options: RateLimitOptions) {}

  take(method: string, route: Route, params: Record<string, string>): { headers: Record<string, string>; limited: boolean } {
    const bucket = createHash("sha1").update(`${method} ${route.pattern}`).digest("hex").slice(0, 16);
    const major = params.channelId ?? params.guildId ?? (params.token ? `${params.applicationId}/${params.token}` : "");
    const key = `${bucket}:${major}`;
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + this.options.windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    const limited = window.count > this.options.limit;
    const resetAfter = (window.resetAt - now) / 1000;
    return {
      limited,
      headers: {
        "x-ratelimit-limit": String(this.options.limit),
        "x-ratelimit-remaining": String(Math.max(0, this.options.limit - window.count)),
        "x-ratelimit-reset": (window.resetAt / 1000).toFixed(3),
        "x-ratelimit-reset-after": resetAfter.toFixed(3),
        "x-ratelimit-bucket": bucket,
        ...(limited ? { "retry-after": String(Math.ceil(resetAfter)), "x-ratelimit-scope": "user" } : {}),
      },
    };
  }
}

/** The REST half of the local Discord: routing, authentication, rate-limit headers and a record of every request. */
export class RestServer {
  private readonly routes: Route[] = [];
  private readonly limiter: RateLimiter;
  readonly requests: RecordedRequest[] = [];
  readonly unknownRoutes: RecordedRequest[] = [];
  private readonly failures: InjectedFailure[] = [];

  constructor(
    private readonly token: string,
    rateLimit: RateLimitOptions,
  ) {
    this.limiter = new RateLimiter(rateLimit);
  }

  route(method: string, pattern: string, handler: RouteHandler, { auth = true }: { auth?: boolean } = {}): void {
    this.routes.push({ method, pattern, segments: pattern.split("/").filter(Boolean), auth, handler });
  }

  /** Answers the next matching request with `failure.error` instead of handling it, as Discord does when it refuses one. */
  failNext(failure: InjectedFailure): void {
    this.failures.push(failure);
  }

  private takeFailure(method: string, route: Route): DiscordApiError | undefined {
    const index = this.failures.findIndex((failure) => failure.method === method && failure.route === route.pattern);
    return index === -1 ? undefined : this.failures.splice(index, 1)[0]?.error;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = req.method ?? "GET";
    const path = url.pathname.replace(/^\/api\/v10(?=\/)/, "");
    const headers = redact(req);
    const raw = await readBody(req);
    const recorded: RecordedRequest = {
      method,
      path,
      route: null,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      headers,
      status: 0,
      response: undefined,
    };
    this.requests.push(recorded);

    let status: number;
    let body: unknown;
    let extraHeaders: Record<string, string> = {};
    try {
      if (!url.pathname.startsWith("/api/v10/")) throw notFound();
      const match = this.match(method, path);
      recorded.route = match.route.pattern;
      const parsed = await parseBody(req, raw);
      recorded.body = parsed.body;
      const bot = req.headers.authorization === `Bot ${this.token}`;
      if (match.route.auth && !bot) throw unauthorized();
      const injected = this.takeFailure(method, match.route);
      if (injected !== undefined) throw injected;
      const limit = this.limiter.take(method, match.route, match.params);
      extraHeaders = limit.headers;
      if (limit.limited) {
        status = 429;
        body = { message: "You are being rate limited.", retry_after: Number(limit.headers["x-ratelimit-reset-after"]), global: false };
      } else {
        const result = await match.route.handler({ params: match.params, query: url.searchParams, body: parsed.body, files: parsed.files, bot });
        status = result.status;
        body = result.body;
      }
    } catch (error) {
      if (!(error instanceof DiscordApiError)) throw error;
      status = error.status;
      body = error.body();
      if (error.status === 404 && error.code === 0) this.unknownRoutes.push(recorded);
      if (error.status === 405) this.unknownRoutes.push(recorded);
    }
    recorded.status = status;
    recorded.response = body;
    // A 204 must not claim a JSON body: discord.js would try to parse the empty one.
    if (body === undefined) {
      res.writeHead(status, extraHeaders).end();
    } else {
      res.writeHead(status, { ...extraHeaders, "content-type": "application/json" }).end(JSON.stringify(body));
    }
  }

  private match(method: string, path: string): { route: Route; params: Record<string, string> } {
    const segments = path.split("/").filter(Boolean).map(decodeURIComponent);
    let pathMatched = false;
    // Literal segments win over parameters, so `/users/@me` is not read as `/users/:userId`.
    const candidates = this.routes
      .map((route) => ({ route, params: matchSegments(route.segments, segments) }))
      .filter((c): c is { route: Route; params: Record<string, string> } => c.params !== null)
      .sort((a, b) => Object.keys(a.params).length - Object.keys(b.params).length);
    for (const candidate of candidates) {
      pathMatched = true;
      if (candidate.route.method === method) return candidate;
    }
    throw pathMatched ? methodNotAllowed() : notFound();
  }
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | null {
  if (pattern.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const a = actual[i] as string;
    if (p.startsWith(":")) params[p.slice(1)] = a;
    else if (p !== a) return null;
  }
  return params;
}

function redact(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  if (headers.authorization) headers.authorization = headers.authorization.replace(/^(\S+)\s.*$/, "$1 [redacted]");
  return headers;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** JSON bodies, or multipart ones whose `payload_json` holds the JSON and whose other parts are files (docs: reference.mdx "Uploading Files"). */
async function parseBody(req: IncomingMessage, raw: Buffer): Promise<{ body: unknown; files: UploadedFile[] }> {
  if (raw.length === 0) return { body: undefined, files: [] };
  const type = req.headers["content-type"] ?? "";
  if (type.startsWith("multipart/form-data")) {
    const form = await new Response(raw, { headers: { "content-type": type } }).formData();
    const files: UploadedFile[] = [];
    let body: unknown;
    for (const [field, value] of form.entries()) {
      if (typeof value === "string") {
        if (field === "payload_json") body = parseJson(value);
      } else {
        files.push({ field, name: value.name, size: value.size, contentType: value.type, data: Buffer.from(await value.arrayBuffer()) });
      }
    }
    return { body, files };
  }
  if (!type.startsWith("application/json")) {
    throw new DiscordApiError(400, 50035, "Invalid Form Body", {
      _errors: [{ code: "CONTENT_TYPE_INVALID", message: `Expected "Content-Type" header to be one of {'application/json', 'multipart/form-data'}.` }],
    });
  }
  return { body: parseJson(raw.toString("utf8")), files: [] };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidJson();
  }
}

export function requireObject(body: unknown): Record<string, unknown> {
  if (isObject(body)) return body;
  throw new DiscordApiError(400, 50035, "Invalid Form Body", {
    _errors: [{ code: "MODEL_TYPE_CONVERT", message: "Only dictionaries may be used in a ModelType" }],
  });
}
