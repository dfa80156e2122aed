/**
 * A small seeded world for the emulator's own tests, and a raw `fetch`
 * helper: these tests speak HTTP exactly as a client would, with no client
 * library in between.
 */
import { startOpenCloudEmulator, type OpenCloudEmulator, type OpenCloudEmulatorOptions } from "./index.js";

export const OWNER = "1001";
export const MODERATOR = "1002";
export const STRANGER = "1003";
export const PLAYER = "156";
export const OTHER_PLAYER = "157";
export const UNIVERSE = "1";
export const ROOT_PLACE = "2";
export const SIDE_PLACE = "3";
export const OTHER_UNIVERSE = "9";
export const OTHER_UNIVERSE_PLACE = "90";
export const GROUP = "7";
export const MEMBER_ROLE = "71";
export const OFFICER_ROLE = "72";
export const OWNER_ROLE = "79";
export const GUEST_ROLE = "70";

/** Every scope Warden uses, for universe 1 and group 7, owned by user 1001. */
export const FULL_KEY = "full-key-of-1001";
/** A second key of the same owner: budgets are shared with FULL_KEY. */
export const SECOND_KEY = "second-key-of-1001";
/** Reads restrictions everywhere but cannot write them: the scope trap. */
export const READ_ONLY_KEY = "read-only-key-of-1002";
/** Valid, with no scopes at all. */
export const BARE_KEY = "bare-key-of-1003";

const fullScopes = [
  { name: "universe.user-restriction", operations: ["read", "write"], universeIds: [UNIVERSE] },
  { name: "group", operations: ["read", "write"], groupIds: [GROUP] },
  { name: "user.advanced", operations: ["read"] },
  { name: "user.social", operations: ["read"] },
];

export async function startWorld(options: OpenCloudEmulatorOptions = {}): Promise<OpenCloudEmulator> {
  const emulator = await startOpenCloudEmulator({ enforceRateLimits: false, seed: 1, ...options });
  emulator.addApiKey({ key: FULL_KEY, ownerId: OWNER, name: "warden", scopes: fullScopes });
  emulator.addApiKey({ key: SECOND_KEY, ownerId: OWNER, name: "warden-2", scopes: fullScopes });
  emulator.addApiKey({
    key: READ_ONLY_KEY,
    ownerId: MODERATOR,
    scopes: [{ name: "universe.user-restriction", operations: ["read"], universeIds: ["*"] }],
  });
  emulator.addApiKey({ key: BARE_KEY, ownerId: STRANGER, scopes: [] });
  for (const [id, name] of [
    [OWNER, "Owner"],
    [MODERATOR, "Moderator"],
    [STRANGER, "Stranger"],
    [PLAYER, "Builderman"],
    [OTHER_PLAYER, "Shedletsky"],
  ] as const) {
    emulator.addUser({ id, name, createTime: "2010-01-02T03:04:05Z" });
  }
  emulator.addUniverse({ id: UNIVERSE, displayName: "Warden Test Place", placeIds: [ROOT_PLACE, SIDE_PLACE], ownerUserId: OWNER });
  emulator.addUniverse({ id: OTHER_UNIVERSE, placeIds: [OTHER_UNIVERSE_PLACE], ownerUserId: STRANGER });
  emulator.addGroup({
    id: GROUP,
    displayName: "Warden Group",
    ownerId: OWNER,
    roles: [
      { id: GUEST_ROLE, displayName: "Guest", rank: 0, permissions: { viewWallPosts: true } },
      { id: MEMBER_ROLE, displayName: "Member", rank: 1 },
      { id: OFFICER_ROLE, displayName: "Officer", rank: 100, permissions: { changeRank: true, acceptRequests: true } },
      { id: OWNER_ROLE, displayName: "Owner", rank: 255 },
    ],
  });
  return emulator;
}

export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the raw text when the body is not JSON. */
  body: unknown;
  json: Record<string, unknown>;
}

export async function call(
  base: string,
  method: string,
  path: string,
  options: { key?: string; query?: Record<string, string>; body?: unknown; rawBody?: string } = {},
): Promise<Answer> {
  const url = new URL(path, base);
  for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
  const headers: Record<string, string> = {};
  if (options.key !== undefined) headers["x-api-key"] = options.key;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  const json = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  return { status: response.status, headers: response.headers, body: parsed, json };
}

export const restrictionPath = (universeId: string, userId: string, placeId?: string) =>
  placeId === undefined
    ? `/cloud/v2/universes/${universeId}/user-restrictions/${userId}`
    : `/cloud/v2/universes/${universeId}/places/${placeId}/user-restrictions/${userId}`;

export const banBody = (overrides: Record<string, unknown> = {}) => ({
  gameJoinRestriction: {
    active: true,
    duration: "3600s",
    privateReason: "exploiting",
    displayReason: "Banned for exploiting",
    excludeAltAccounts: false,
    ...overrides,
  },
});

export const MASK = { updateMask: "gameJoinRestriction" };
