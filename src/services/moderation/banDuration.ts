import { UserError } from "../userError.js";
import { clipText } from "../clipText.js";

const SECONDS_PER_UNIT = { m: 60, h: 3_600, d: 86_400, w: 604_800 } as const;

/** Roblox's longest restriction, 10,000 years (Duration "315576000000s"). */
const MAX_SECONDS = 315_576_000_000;

const EXAMPLES = "30m, 12h, 7d, 2w, or perm for a permanent ban";

/**
 * A moderator's duration (`30m`, `12h`, `7d`, `2w`, `perm`) in seconds;
 * null for permanent. Anything else is refused with the accepted forms.
 */
export function parseBanDuration(text: string): number | null {
  const value = text.trim().toLowerCase();
  if (value === "perm" || value === "permanent") return null;
  const match = /^(\d{1,12})\s*([mhdw])$/.exec(value);
  if (match === null) throw new UserError(`\`${clipText(text, 40)}\` is not a duration. Use ${EXAMPLES}.`);
  const seconds = Number(match[1]) * SECONDS_PER_UNIT[match[2] as keyof typeof SECONDS_PER_UNIT];
  if (seconds < 60) throw new UserError(`A ban lasts at least 1 minute. Use ${EXAMPLES}.`);
  if (seconds > MAX_SECONDS) throw new UserError(`Roblox bans last at most 10,000 years; use perm for a permanent ban.`);
  return seconds;
}

/** "7 days", "1 hour", "permanent": how a duration reads in a reply or the mod log. */
export function describeDuration(seconds: number | null): string {
  if (seconds === null) return "permanent";
  const units: [number, string][] = [
    [604_800, "week"],
    [86_400, "day"],
    [3_600, "hour"],
    [60, "minute"],
  ];
  for (const [size, name] of units) {
    if (seconds % size === 0) {
      const count = seconds / size;
      return `${count} ${name}${count === 1 ? "" : "s"}`;
    }
  }
  return `${seconds} seconds`;
}
