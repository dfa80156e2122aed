/** Roblox ids (users, places, universes, groups) are signed 64-bit integers. */
const MAX_ID = 2n ** 63n - 1n;

/**
 * The id as Roblox writes it (no leading zeros, 1 to 2^63-1), or undefined
 * for digits nothing can have as its id: such text is never looked up as one.
 */
export function canonicalId(text: string): string | undefined {
  return /^[1-9][0-9]{0,18}$/.test(text) && BigInt(text) <= MAX_ID ? text : undefined;
}
