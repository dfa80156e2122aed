/**
 * The HTTP side: one node:http listener per Roblox host (Open Cloud, users,
 * thumbnails), each on its own random port, sharing one state. Every request
 * waits out the holds a test placed on it, passes the fault injector, is
 * answered by its host, and is recorded with the key's fingerprint, never the key.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { introspect } from "./apiKeys.js";
import { ApiError, InvalidApiKeyError, LegacyError, invalidArgument, v2ErrorBody, type JsonResponse } from "./errors.js";
import type { FaultInjector } from "./faults.js";
import type { OAuth } from "./oauth.js";
import type { CallHolds } from "./holds.js";
import { handleThumbnailsHost, handleUsersHost } from "./legacyHosts.js";
import type { RateLimiter } from "./rateLimits.js";
import { dispatchCloud, type CloudRoute, type GatewayOptions, type RouteDeps } from "./router.js";
import { fingerprint } from "./state.js";

export type Host = "opencloud" | "users" | "thumbnails";

export interface RecordedCall {
  host: Host;
  method: string;
  /** Decoded path, e.g. `/cloud/v2/universes/1/user-restrictions/156`. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON, the raw text when it was not JSON, undefined when empty; an introspected key is replaced by its fingerprint. */
  body: unknown;
  /** 0 when the connection was reset without an answer. */
  status: number;
  keyFingerprint: string | undefined;
  /** When the request arrived. */
  time: string;
  /** When it was answered (or reset), after any injected delay: what tells calls in sequence from calls alongside. */
  answerTime: string;
  fault?: "reset" | "error" | "applyThenFail";
}

export interface ServerDeps {
  routeDeps: RouteDeps;
  routes: readonly CloudRoute[];
  limiter: RateLimiter;
  faults: FaultInjector;
  holds: CallHolds;
  gateway: GatewayOptions;
  calls: RecordedCall[];
  /** Every request as it arrives, before any hold or delay: what a caller killed mid-call had already sent. */
  received: ReceivedCall[];
  oauth: OAuth;
}

export interface ReceivedCall {
  host: Host;
  method: string;
  path: string;
}

const INTROSPECT_PATH = "/api-keys/v1/introspect";

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function send(response: ServerResponse, answer: JsonResponse): void {
  const headers = { "content-type": "application/json; charset=utf-8", ...answer.headers };
  response.writeHead(answer.status, headers);
  response.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
}

/** A 500 from the service itself; a 503 from the proxy in front of it, which does not speak JSON. */
function injectedFailure(host: Host, status: 500 | 503): { status: number; headers: Record<string, string>; text: string } {
  if (status === 503) {
    return {
      status,
      headers: { "content-type": "text/html" },
      text: "<html><head><title>503 Service Unavailable</title></head><body>Service Unavailable</body></html>",
    };
  }
  const body = host === "opencloud" ? v2ErrorBody("INTERNAL", "Internal server error.") : { errors: [{ code: 0, message: "InternalServerError" }] };
  return { status, headers: { "content-type": "application/json; charset=utf-8" }, text: JSON.stringify(body) };
}

function errorResponse(host: Host, error: unknown): JsonResponse {
  if (error instanceof ApiError || error instanceof InvalidApiKeyError || error instanceof LegacyError) {
    return error.toResponse();
  }
  const message = error instanceof Error ? error.message : String(error);
  // An emulator bug must be loud in a test, not look like a plausible Roblox answer.
  const detail = `Emulator bug: ${message}`;
  return {
    status: 500,
    body: host === "opencloud" ? v2ErrorBody("INTERNAL", detail) : { errors: [{ code: 0, message: detail }] },
  };
}

function redactIntrospection(body: unknown): { body: unknown; keyFingerprint: string | undefined } {
  if (typeof body !== "object" || body === null || !("apiKey" in body) || typeof body.apiKey !== "string") {
    return { body, keyFingerprint: undefined };
  }
  const keyFingerprint = fingerprint(body.apiKey);
  return { body: { ...body, apiKey: `fingerprint:${keyFingerprint}` }, keyFingerprint };
}

async function serve(host: Host, deps: ServerDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://emulator.invalid");
  let path = url.pathname;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    // A malformed escape stays as sent; no route will match it.
  }
  const method = request.method ?? "GET";
  const text = await readBody(request);
  if (host === "opencloud") {
    // OAuth speaks forms and pages, not Open Cloud's JSON; its body holds secrets and codes, so none is recorded.
    const oauth = deps.oauth.handle(method, url, request.headers, text);
    if (oauth !== undefined) {
      const time = new Date(deps.routeDeps.now()).toISOString();
      deps.calls.push({ host, method, path, query: Object.fromEntries(url.searchParams), body: undefined, status: oauth.status, keyFingerprint: undefined, time, answerTime: time });
      response.writeHead(oauth.status, oauth.headers);
      response.end(oauth.text);
      return;
    }
  }
  const parsed = parseJson(text);
  const apiKeyHeader = typeof request.headers["x-api-key"] === "string" ? request.headers["x-api-key"] : undefined;
  const isIntrospection = host === "opencloud" && path === INTROSPECT_PATH;
  const redacted = isIntrospection && parsed.ok ? redactIntrospection(parsed.value) : undefined;
  const call: RecordedCall = {
    host,
    method,
    path,
    query: Object.fromEntries(url.searchParams),
    body: redacted?.body ?? (parsed.ok ? parsed.value : isIntrospection ? "<unparsed introspection body>" : text),
    status: 0,
    keyFingerprint: redacted?.keyFingerprint ?? (apiKeyHeader === undefined ? undefined : fingerprint(apiKeyHeader)),
    time: new Date(deps.routeDeps.now()).toISOString(),
    answerTime: "",
  };
  const answered = () => new Date(deps.routeDeps.now()).toISOString();

  const received: ReceivedCall = { host, method, path };
  deps.received.push(received);
  await deps.holds.pass(received);
  const fault = deps.faults.decide();
  if (fault.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
  if (fault.before === "reset") {
    deps.calls.push({ ...call, answerTime: answered(), fault: "reset" });
    request.socket.destroy();
    return;
  }
  if (fault.before !== undefined) {
    const failure = injectedFailure(host, fault.before);
    deps.calls.push({ ...call, answerTime: answered(), status: failure.status, fault: "error" });
    response.writeHead(failure.status, failure.headers);
    response.end(failure.text);
    return;
  }

  let answer: JsonResponse;
  let applied = false;
  try {
    if (!parsed.ok) {
      throw host === "opencloud" ? invalidArgument("The request body is not valid JSON.") : new LegacyError(400, 0, "The request is invalid.");
    }
    if (host === "users") answer = handleUsersHost(deps.routeDeps.state, method, path, parsed.value);
    else if (host === "thumbnails") answer = handleThumbnailsHost(deps.routeDeps.state, method, path, url.searchParams);
    else if (isIntrospection && method === "POST") answer = introspect(deps.routeDeps.state, parsed.value, deps.routeDeps.now());
    else {
      const dispatched = dispatchCloud(deps.routeDeps, deps.limiter, deps.gateway, deps.routes, {
        method,
        path,
        query: url.searchParams,
        body: parsed.value,
        apiKeyHeader,
      });
      answer = dispatched.response;
      applied = dispatched.route?.write === true && !dispatched.dryRun && answer.status === 200;
    }
  } catch (error) {
    answer = errorResponse(host, error);
  }
  if (applied && fault.applyThenFail) {
    answer = { status: 500, body: v2ErrorBody("INTERNAL", "Internal server error.") };
    call.fault = "applyThenFail";
  }
  deps.calls.push({ ...call, answerTime: answered(), status: answer.status });
  send(response, answer);
}

export interface Listener {
  url: string;
  close(): Promise<void>;
}

export async function listen(host: Host, deps: ServerDeps): Promise<Listener> {
  const server: Server = createServer((request, response) => {
    serve(host, deps, request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, errorResponse(host, error));
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
