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

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, base: { app: "warden" }, redact: { paths: REDACT_PATHS, censor: "[redacted]" } },
    destination ?? process.stdout,
  );
}
