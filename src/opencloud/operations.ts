/**
 * Every operation this client calls, with the scope it needs and the budgets
 * Roblox documents for it (openapi-subset.json `x-roblox-scopes` and
 * `x-roblox-rate-limits`). Budgets are planned against, never discovered.
 */

export interface Window {
  limit: number;
  windowMs: number;
}

export interface OperationInfo {
  /** Scope the key needs, as Creator Hub names it; undefined when the operation is public. */
  scope?: string;
  /** Per API key owner (the spec's `perApiKeyOwner`). */
  perKey?: Window;
  /** Per universe, shared by every key that touches it (user restrictions only). */
  perUniverse?: Window;
  /** Per player within a universe (user-restriction updates only). */
  perPlayer?: Window;
  /** Per client, shared by every call this process makes (the public hosts, which take no key). */
  perClient?: Window;
  /** What a 404 most likely means for this operation, in a moderator's words. */
  notFound: string;
}

const perSecond = (limit: number): Window => ({ limit, windowMs: 1_000 });
const perMinute = (limit: number): Window => ({ limit, windowMs: 60_000 });

const RESTRICTION_NOT_FOUND = "Roblox doesn't know that experience, place or player. Check the ids.";
const GROUP_NOT_FOUND = "Roblox doesn't know that group or player. Check the ids.";

export const OPERATIONS = {
  "userRestrictions.get": {
    scope: "universe.user-restriction:read",
    perKey: perSecond(150),
    perUniverse: perSecond(50),
    notFound: RESTRICTION_NOT_FOUND,
  },
  "userRestrictions.list": {
    scope: "universe.user-restriction:read",
    perKey: perSecond(150),
    perUniverse: perSecond(50),
    notFound: RESTRICTION_NOT_FOUND,
  },
  "userRestrictions.update": {
    scope: "universe.user-restriction:write",
    perKey: perSecond(150),
    perUniverse: perSecond(10),
    perPlayer: perMinute(2),
    notFound: RESTRICTION_NOT_FOUND,
  },
  "userRestrictions.listLogs": {
    scope: "universe.user-restriction:read",
    perKey: perSecond(150),
    perUniverse: perSecond(50),
    notFound: RESTRICTION_NOT_FOUND,
  },
  "users.get": { perKey: perMinute(1_000), notFound: "Roblox has no player with that id." },
  "users.generateThumbnail": { perKey: perMinute(1_000), notFound: "Roblox has no player with that id." },
  "users.getOperation": {
    perKey: perMinute(1_000),
    notFound: "Roblox lost track of the avatar picture it was making; try again.",
  },
  "groups.get": { perKey: perMinute(150), notFound: "Roblox has no group with that id." },
  "groups.listJoinRequests": { scope: "group:read", perKey: perMinute(300), notFound: GROUP_NOT_FOUND },
  "groups.acceptJoinRequest": {
    scope: "group:write",
    perKey: perMinute(100),
    notFound: "That join request is gone: it was probably accepted or declined elsewhere already.",
  },
  "groups.declineJoinRequest": {
    scope: "group:write",
    perKey: perMinute(100),
    notFound: "That join request is gone: it was probably accepted or declined elsewhere already.",
  },
  "groups.listMemberships": { perKey: perMinute(300), notFound: GROUP_NOT_FOUND },
  "groups.updateMembership": {
    scope: "group:write",
    perKey: perMinute(300),
    notFound: "That player isn't in the group, or the role doesn't exist.",
  },
  "groups.assignRole": {
    scope: "group:write",
    perKey: perMinute(300),
    notFound: "That player isn't in the group, or the role doesn't exist.",
  },
  "groups.unassignRole": {
    scope: "group:write",
    perKey: perMinute(300),
    notFound: "That player isn't in the group, or the role doesn't exist.",
  },
  "groups.listRoles": { perKey: perMinute(300), notFound: GROUP_NOT_FOUND },
  // The legacy groups surface, reached on the Open Cloud host with an API key.
  "groups.auditLog": { scope: "legacy-group:manage", perKey: perMinute(100), notFound: GROUP_NOT_FOUND },
  "universes.get": { perKey: perMinute(100), notFound: "Roblox has no experience with that universe id." },
  "universes.getPlace": {
    perKey: perMinute(100),
    notFound: "That place doesn't exist or isn't part of this experience.",
  },
  // The public hosts document no budget, and they count calls by the caller's address, so every
  // guild this process serves shares one; planning stays well below anything a busy web page
  // sends them, rather than finding their limit by 429s. Usernames: one call a second, plenty
  // since each resolves up to 100 names. Headshots: five a second, one per mod-log post, so posts
  // keep pace with the 10 bans a second a universe allows.
  "usernames.resolve": { perClient: perMinute(60), notFound: "Roblox couldn't look those usernames up." },
  "thumbnails.headshots": { perClient: perMinute(300), notFound: "Roblox couldn't find avatars for those players." },
  "apiKeys.introspect": { notFound: "Roblox doesn't recognise that API key." },
} as const satisfies Record<string, OperationInfo>;

export type OperationName = keyof typeof OPERATIONS;

export function operationInfo(name: OperationName): OperationInfo {
  return OPERATIONS[name];
}
