import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Secrets must never reach a log line. Code never logs them on purpose;
 * these paths are the net for an object logged whole by mistake.
 */
const REDACT_PATHS = [
  "token",
  "apiKey",
  "encryptionKey",
  "*.token",
  "*.apiKey",
  "*.encryptionKey",
  'headers["x-api-key"]',
  'headers["authorization"]',
  '*.headers["x-api-key"]',
  '*.headers["authorization"]',
];

/**
 * An interaction's token sits in the path of every request that answers it
 * (`/interactions/<id>/<token>/callback`, `/webhooks/<app>/<token>/...`) and
 * lets anyone who holds it speak as the bot in that channel for 15 minutes.
 */
const TOKEN_IN_PATH = /(\/(?:webhooks|interactions)\/\d+\/)[^/?#\s"'`]+/g;
/** What a failed request sent (Discord's `requestBody`): message text, private reasons, uploaded files. */
const DROPPED_KEYS = new Set(["requestBody"]);

/**
 * The one way an error reaches a log line: pino's own serializer (stack, own
 * fields, `cause` as an error of its own), then every string stripped of
 * interaction tokens and every request body left out, at any depth.
 */
export function serializeError(error: unknown): unknown {
  const serialized = error instanceof Error ? pino.stdSerializers.errWithCause(error) : error;
  return scrub(serialized, new WeakSet());
}

function scrub(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === "string") return value.replace(TOKEN_IN_PATH, "$1[redacted]");
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => scrub(item, seen));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (!DROPPED_KEYS.has(key)) copy[key] = scrub(item, seen);
  }
  return copy;
}

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { app: "warden" },
      serializers: { err: serializeError },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    },
    destination ?? process.stdout,
  );
}
