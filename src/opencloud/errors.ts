import { z } from "zod";
import { operationInfo, type OperationName } from "./operations.js";

/**
 * One error hierarchy for every Open Cloud failure. No error ever holds the
 * API key: not in its message, not in a property, not as a `cause` (undici's
 * own errors are summarised into `networkCode` instead of being attached).
 */

export interface ErrorDetails {
  operation: OperationName;
  /** HTTP status; undefined when no response came back (network, timeout, refused before sending). */
  status?: number;
  /** Roblox's own explanation, English and developer-facing; may be shown to moderators. */
  robloxMessage?: string;
  /** Roblox's error code: `PERMISSION_DENIED` (v2) or a legacy number as a string. */
  robloxCode?: string;
}

export abstract class OpenCloudError extends Error {
  readonly operation: OperationName;
  readonly status: number | undefined;
  readonly robloxMessage: string | undefined;
  readonly robloxCode: string | undefined;

  protected constructor(summary: string, details: ErrorDetails) {
    const status = details.status === undefined ? "" : ` (HTTP ${details.status})`;
    const roblox = details.robloxMessage ? `: ${details.robloxMessage}` : "";
    super(`${details.operation}: ${summary}${status}${roblox}`);
    this.name = new.target.name;
    this.operation = details.operation;
    this.status = details.status;
    this.robloxMessage = details.robloxMessage;
    this.robloxCode = details.robloxCode;
  }
}

export class InvalidArgumentError extends OpenCloudError {
  constructor(details: ErrorDetails) {
    super("invalid argument", details);
  }
}

/** The key is wrong, expired (60 days unused, or past its date), disabled or revoked. */
export class UnauthenticatedError extends OpenCloudError {
  constructor(details: ErrorDetails) {
    super("the API key was rejected", details);
  }
}

/** The key is valid but lacks the scope (or the universe/group) this operation needs. */
export class PermissionDeniedError extends OpenCloudError {
  readonly requiredScope: string | undefined;
  constructor(details: ErrorDetails) {
    super("permission denied", details);
    this.requiredScope = operationInfo(details.operation).scope;
  }
}

export class NotFoundError extends OpenCloudError {
  constructor(details: ErrorDetails) {
    super("not found", details);
  }
}

/** 409 ABORTED: a concurrent change won; the caller should re-read before deciding. */
export class ConflictError extends OpenCloudError {
  constructor(details: ErrorDetails) {
    super("conflicting change", details);
  }
}

export class RateLimitedError extends OpenCloudError {
  /** How long to wait before the call can succeed; undefined when Roblox gave no hint. */
  readonly retryAfterMs: number | undefined;
  constructor(details: ErrorDetails & { retryAfterMs: number | undefined }, summary = "rate limited") {
    super(summary, details);
    this.retryAfterMs = details.retryAfterMs;
  }
}

/**
 * Roblox allows two updates per player per universe per minute. The client
 * plans for that limit and raises this before calling, so the caller can tell
 * the moderator exactly how long to wait.
 */
export class PlayerUpdateLimitError extends RateLimitedError {
  declare readonly retryAfterMs: number;
  constructor(details: ErrorDetails & { retryAfterMs: number }) {
    super(details, `this player's restriction was updated twice within the last minute; wait ${details.retryAfterMs} ms`);
  }
}

export type UnavailableReason = "server" | "network" | "timeout" | "closed";

/** 5xx, connection failures and timeouts: what the retry loop retries, raised once retries run out. */
export class UnavailableError extends OpenCloudError {
  readonly reason: UnavailableReason;
  /** undici's error code (`UND_ERR_SOCKET`, `ECONNRESET`...) for network failures. */
  readonly networkCode: string | undefined;
  constructor(details: ErrorDetails & { reason: UnavailableReason; networkCode?: string }) {
    super(`Roblox unavailable (${details.reason}${details.networkCode ? ` ${details.networkCode}` : ""})`, details);
    this.reason = details.reason;
    this.networkCode = details.networkCode;
  }
}

/** A status or a body this client does not understand; never retried. */
export class UnexpectedResponseError extends OpenCloudError {
  constructor(details: ErrorDetails & { problem: string }) {
    super(`unexpected response: ${details.problem}`, details);
  }
}

/**
 * A write answered 200 but re-reading shows it did not take effect: Roblox's
 * documented behaviour when the key lacks the write scope ("the scope trap").
 */
export class WriteNotAppliedError extends OpenCloudError {
  readonly requiredScope: string | undefined;
  constructor(details: ErrorDetails & { expected: string; found: string }) {
    super(`the update was accepted but not applied (expected ${details.expected}, found ${details.found})`, details);
    this.requiredScope = operationInfo(details.operation).scope;
  }
}

/** A sentence for a moderator: what happened and what to do. Never leaks internals. */
export function userMessage(error: unknown): string {
  if (error instanceof PlayerUpdateLimitError) {
    return (
      "Roblox allows only two changes to a player's ban per minute in an experience, and this player's ban " +
      `was already changed twice in the last minute. Try again in ${waitInWords(error.retryAfterMs)}.`
    );
  }
  if (error instanceof RateLimitedError) {
    const when = error.retryAfterMs === undefined ? "a minute" : waitInWords(error.retryAfterMs);
    return `Roblox is rate-limiting this API key right now. Try again in ${when}.`;
  }
  if (error instanceof WriteNotAppliedError) {
    return (
      "Roblox accepted the change but did not apply it. The API key probably lacks the " +
      `\`${error.requiredScope ?? "write"}\` permission for this experience: ask an admin to add it to the key ` +
      "in Creator Hub, then try again."
    );
  }
  if (error instanceof UnauthenticatedError) {
    return (
      "Roblox rejected the API key: it is wrong, expired (keys unused for 60 days expire by themselves), " +
      "disabled or revoked. Ask an admin to create a new key in Creator Hub and link it again."
    );
  }
  if (error instanceof PermissionDeniedError) {
    const scope = error.requiredScope ? ` It needs the \`${error.requiredScope}\` permission for this experience or group.` : "";
    return `The API key isn't allowed to do this.${scope} Ask an admin to add it to the key in Creator Hub, then try again.`;
  }
  if (error instanceof NotFoundError) {
    return operationInfo(error.operation).notFound;
  }
  if (error instanceof InvalidArgumentError) {
    const why = error.robloxMessage ? ` Roblox said: "${error.robloxMessage}".` : "";
    return `Roblox refused the request as invalid.${why} Check the ids, the duration and the length of the reasons.`;
  }
  if (error instanceof ConflictError) {
    return "Someone changed this on Roblox at the same moment. Check its current state, then try again if needed.";
  }
  if (error instanceof UnavailableError && error.reason === "closed") {
    return "Warden is restarting and could not reach Roblox. Try again in a moment.";
  }
  if (error instanceof UnavailableError) {
    const what = error.reason === "timeout" ? "didn't answer in time" : "is having trouble";
    return (
      `Roblox ${what}, even after several tries. Try again in a few minutes; if you were changing something, ` +
      "check first whether it went through."
    );
  }
  if (error instanceof UnexpectedResponseError) {
    return "Roblox answered in a way Warden doesn't understand. Try again later, and tell the bot's maintainers if it keeps happening.";
  }
  return "Something went wrong while talking to Roblox. Try again later.";
}

function waitInWords(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1_000));
  if (seconds < 120) return `${seconds} s`;
  return `${Math.ceil(seconds / 60)} min`;
}

const MAX_MESSAGE_CHARS = 300;

const v2Body = z.object({
  code: z.union([z.string(), z.number()]).optional(),
  message: z.string().optional(),
});
const legacyBody = z.object({
  errors: z
    .array(z.object({ code: z.union([z.number(), z.string()]).optional(), message: z.string().optional() }))
    .min(1),
});
// Older Open Cloud v1 endpoints and some gateways answer {error, message}.
const v1Body = z.object({ error: z.string(), message: z.string().optional() });

/** Reads Roblox's explanation out of any error body shape; a proxy's HTML page yields nothing. */
export function describeErrorBody(body: string): { robloxMessage?: string; robloxCode?: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return {};
  }
  const legacy = legacyBody.safeParse(json);
  if (legacy.success) {
    const first = legacy.data.errors[0];
    return { robloxMessage: clip(first?.message), robloxCode: first?.code === undefined ? undefined : String(first.code) };
  }
  const v1 = v1Body.safeParse(json);
  if (v1.success) return { robloxMessage: clip(v1.data.message ?? v1.data.error), robloxCode: v1.data.error };
  const v2 = v2Body.safeParse(json);
  if (v2.success) {
    return { robloxMessage: clip(v2.data.message), robloxCode: v2.data.code === undefined ? undefined : String(v2.data.code) };
  }
  return {};
}

function clip(text: string | undefined): string | undefined {
  if (!text) return undefined;
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}

export interface FailedResponse {
  operation: OperationName;
  status: number;
  body: string;
  /** From the response headers, already parsed; used only for 429. */
  retryAfterMs: number | undefined;
  /** Keys that were sent, so an echo of one in Roblox's message can be blanked out. */
  secrets: readonly (string | undefined)[];
}

/** Maps a non-2xx response to the hierarchy. Status decides; the body only explains. */
export function errorFromResponse(response: FailedResponse): OpenCloudError {
  const described = describeErrorBody(response.body);
  const details: ErrorDetails = {
    operation: response.operation,
    status: response.status,
    robloxMessage: redact(described.robloxMessage, response.secrets),
    robloxCode: described.robloxCode,
  };
  switch (response.status) {
    case 400:
    case 422:
      return new InvalidArgumentError(details);
    case 401:
      return new UnauthenticatedError(details);
    case 403:
      return new PermissionDeniedError(details);
    case 404:
      return new NotFoundError(details);
    case 409:
      return new ConflictError(details);
    case 429:
      return new RateLimitedError({ ...details, retryAfterMs: response.retryAfterMs });
    case 408:
    case 499:
      return new UnavailableError({ ...details, reason: "server" });
    case 501:
      return new UnexpectedResponseError({ ...details, problem: "operation not implemented" });
  }
  if (response.status >= 500) return new UnavailableError({ ...details, reason: "server" });
  return new UnexpectedResponseError({ ...details, problem: `status ${response.status}` });
}

export function redact(text: string | undefined, secrets: readonly (string | undefined)[]): string | undefined {
  let redacted = text;
  for (const secret of secrets) if (redacted !== undefined && secret) redacted = redacted.split(secret).join("[redacted]");
  return redacted;
}

/** A google.rpc.Status inside a finished long-running Operation, mapped like an HTTP failure. */
export function errorFromRpcStatus(operation: OperationName, code: number, message: string): OpenCloudError {
  const details: ErrorDetails = { operation, robloxMessage: clip(message), robloxCode: String(code) };
  switch (code) {
    case 3: // INVALID_ARGUMENT
    case 9: // FAILED_PRECONDITION
    case 11: // OUT_OF_RANGE
      return new InvalidArgumentError(details);
    case 5: // NOT_FOUND
      return new NotFoundError(details);
    case 7: // PERMISSION_DENIED
      return new PermissionDeniedError(details);
    case 16: // UNAUTHENTICATED
      return new UnauthenticatedError(details);
    case 8: // RESOURCE_EXHAUSTED
      return new RateLimitedError({ ...details, retryAfterMs: undefined });
    case 10: // ABORTED
      return new ConflictError(details);
    case 4: // DEADLINE_EXCEEDED
      return new UnavailableError({ ...details, reason: "timeout" });
    case 13: // INTERNAL
    case 14: // UNAVAILABLE
      return new UnavailableError({ ...details, reason: "server" });
    default:
      return new UnexpectedResponseError({ ...details, problem: `operation failed with code ${code}` });
  }
}
