/** Roblox ids as this client takes them: numbers or digit strings, always sent as strings. */
export type RobloxId = string | number;

const DIGITS = /^\d{1,20}$/;

/**
 * Ids are interpolated into paths and filter expressions, so anything but
 * digits is refused before it can reach either: a caller bug, not a Roblox error.
 */
export function toId(value: RobloxId, what: string): string {
  const id = typeof value === "number" ? (Number.isSafeInteger(value) ? String(value) : "") : value.trim();
  if (!DIGITS.test(id)) throw new RangeError(`${what} must be a numeric Roblox id`);
  return id;
}

/** The id after `collection/` in a resource path (`users/156` → `156`), or null. */
export function idFromPath(path: string | undefined, collection: string): string | null {
  if (!path) return null;
  const match = new RegExp(`(?:^|/)${collection}/(\\d+)(?:/|$)`).exec(path);
  return match?.[1] ?? null;
}
