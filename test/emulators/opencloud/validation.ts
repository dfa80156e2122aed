/**
 * Request checks every Open Cloud method shares: JSON bodies validated with
 * zod, path ids that must be numbers, and query strings that may carry only
 * the parameters the specification lists for the method.
 */
import type { z } from "zod";
import { invalidArgument } from "./errors.js";

export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const where = issue.path.length === 0 ? "body" : issue.path.join(".");
    return `${where}: ${issue.message}`;
  });
  throw invalidArgument(`Invalid request body. ${problems.join("; ")}`);
}

/** Roblox ids are int64 decimal strings; anything else never reaches a lookup. */
export function requireId(value: string, what: string): string {
  if (!/^[1-9]\d{0,18}$/.test(value)) throw invalidArgument(`Invalid ${what} "${value}".`);
  return value;
}

/**
 * The real gateway may silently ignore a parameter it does not know; a client
 * that sends one believes it had an effect (a `filter` on ListUserRestrictions
 * filters nothing), so the emulator refuses it instead.
 */
export function allowOnlyParams(query: URLSearchParams, allowed: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of query.keys()) {
    if (!allowed.includes(name)) throw invalidArgument(`Unknown query parameter "${name}".`);
    if (seen.has(name)) throw invalidArgument(`Query parameter "${name}" given more than once.`);
    seen.add(name);
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

export function parseRfc3339(value: string, what: string): number {
  const ms = Date.parse(value);
  if (!RFC3339.test(value) || Number.isNaN(ms)) throw invalidArgument(`${what} must be an RFC 3339 timestamp.`);
  return ms;
}

/** Limits are documented in characters; a character is a code point, not a UTF-16 unit. */
export const codePoints = (value: string) => [...value].length;
