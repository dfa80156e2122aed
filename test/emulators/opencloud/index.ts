/**
 * A strict local Roblox Open Cloud for tests: it refuses what the real
 * service refuses, in the real shapes, with the real budgets (time-scaled),
 * and can fail on purpose. See CONTRACT.md and openapi-subset.json.
 */
import { FaultInjector, type FaultSettings } from "./faults.js";
import { Groups } from "./groups.js";
import { CallHolds, type CallPredicate } from "./holds.js";
import { OAuth, type OAuthAppInput } from "./oauth.js";
import { Paginator } from "./pagination.js";
import { RateLimiter } from "./rateLimits.js";
import type { CloudRoute, GatewayOptions, RouteDeps } from "./router.js";
import { listen, type ReceivedCall, type RecordedCall, type ServerDeps } from "./server.js";
import {
  EmulatorState,
  type ApiKeyInput,
  type GroupInput,
  type UniverseInput,
  type UserInput,
} from "./state.js";
import { Universes } from "./universes.js";
import { UserRestrictions, type GameJoinRestriction, type LogEntry, type OutOfBandBan } from "./userRestrictions.js";
import { Users } from "./users.js";

export type { FaultSettings } from "./faults.js";
export { membershipIdOf } from "./groups.js";
export type { CallPredicate } from "./holds.js";
export type { OAuthAppInput } from "./oauth.js";
export type { OperationName } from "./rateLimits.js";
export { OPERATION_BUDGETS } from "./rateLimits.js";
export type { ReceivedCall, RecordedCall } from "./server.js";
export { fingerprint } from "./state.js";
export type { ApiKeyInput, GroupInput, RoleInput, ScopeGrant, UniverseInput, UserInput } from "./state.js";
export type { GameJoinRestriction, LogEntry, OutOfBandBan, UserRestriction } from "./userRestrictions.js";

export interface OpenCloudEmulatorOptions {
  /** 1 = real time; 60 makes every rate-limit window 60 times shorter. */
  timeScale?: number;
  enforceRateLimits?: boolean;
  /** A key that can read but not write restrictions gets 200 and no change from PATCH. */
  scopeTrap?: boolean;
  /** Makes fault injection repeatable. */
  seed?: number;
  /** Milliseconds since the epoch; tests that step time pass their own. */
  clock?: () => number;
  /** How many polls of a thumbnail operation answer `done: false` first (default 2). */
  thumbnailPollsUntilDone?: number;
}

export interface OpenCloudEmulator {
  /** Base for `/cloud/v2/...` and `/api-keys/v1/...`. */
  openCloudUrl: string;
  /** Base of Roblox's OAuth 2.0 (`ROBLOX_OAUTH_URL`): `/v1/authorize`, `/v1/token`, `/v1/userinfo`. */
  oauthUrl: string;
  /** Base for `/v1/usernames/users`. */
  usersUrl: string;
  /** Base for `/v1/users/avatar-headshot`. */
  thumbnailsUrl: string;
  addApiKey(key: ApiKeyInput): void;
  /** Later calls with the key answer 401. */
  revokeApiKey(key: string): void;
  /** Disable, expire or re-date a key already added. */
  /** What an owner can change on a key in Creator Hub: its permissions, and disabling or expiring it. */
  updateApiKey(
    key: string,
    changes: { enabled?: boolean; expired?: boolean; expirationTimeUtc?: string; scopes?: ApiKeyInput["scopes"] },
  ): void;
  addUser(user: UserInput): void;
  /** An OAuth app as registered on the Creator Dashboard: its secret and exact redirect URLs. */
  addOAuthApp(app: OAuthAppInput): void;
  addUniverse(universe: UniverseInput): void;
  addGroup(group: GroupInput): void;
  addJoinRequest(request: { groupId: string; userId: string; createTime?: string }): void;
  addMembership(membership: { groupId: string; userId: string; roleId: string }): void;
  /** A rank change made on the Roblox website by `actorId`: the member's role replaced, and the audit log says so. */
  rankOnWebsite(change: { groupId: string; userId: string; roleId: string; actorId: string }): void;
  /** A member removed (kicked) from the group on the Roblox website by `actorId`: the membership goes, and the audit log says RemoveMember. */
  removeOnWebsite(change: { groupId: string; userId: string; actorId: string }): void;
  /**
   * A ban from the group on the Roblox website by `actorId` (or, with `active: false`, its lifting): a
   * banned member leaves the group, and the audit log says BanMember (UnbanMember).
   */
  banFromGroupOnWebsite(ban: { groupId: string; userId: string; actorId: string; active?: boolean }): void;
  /** A ban (or, with `active: false`, an unban) by a person in Creator Hub: logged with a `robloxUser` moderator. */
  banFromCreatorHub(ban: OutOfBandBan & { moderatorId: string }): void;
  /** A ban by an experience's own server script: logged with a `gameServerScript` moderator. */
  banFromGameServer(ban: OutOfBandBan): void;
  /** What a GET would show now; undefined when the player was never restricted there. */
  restriction(universeId: string, userId: string, placeId?: string): GameJoinRestriction | undefined;
  /** Newest first, as `:listLogs` answers. */
  logs(universeId: string): LogEntry[];
  joinRequests(groupId: string): { userId: string; createTime: string }[];
  /** `roleId` is the highest-ranked role; `roleIds` all of them. */
  members(groupId: string): { userId: string; roleId: string; roleIds: string[] }[];
  readonly calls: RecordedCall[];
  /** Requests as they arrive, answered or not yet. */
  readonly received: ReceivedCall[];
  clearCalls(): void;
  setFaults(faults: Partial<FaultSettings>): void;
  /**
   * Holds the requests matching `matches` as they arrive (already in `received`), unanswered and
   * unapplied, until the returned function is called; requests arriving after that pass.
   */
  holdCalls(matches: CallPredicate): () => void;
  setScopeTrap(enabled: boolean): void;
  close(): Promise<void>;
}

export async function startOpenCloudEmulator(options: OpenCloudEmulatorOptions = {}): Promise<OpenCloudEmulator> {
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error("timeScale must be greater than 0");
  const now = options.clock ?? Date.now;
  const state = new EmulatorState(now);
  const restrictions = new UserRestrictions(state, now);
  const routeDeps: RouteDeps = { state, paginator: new Paginator(), now };
  const routes: CloudRoute[] = [
    ...restrictions.routes(routeDeps),
    ...new Users(state, options.thumbnailPollsUntilDone ?? 2).routes(),
    ...new Groups(state, now).routes(routeDeps),
    ...new Universes(state).routes(),
  ];
  const gateway: GatewayOptions = {
    enforceRateLimits: options.enforceRateLimits ?? true,
    scopeTrap: options.scopeTrap ?? true,
  };
  const faults = new FaultInjector(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const holds = new CallHolds();
  const calls: RecordedCall[] = [];
  const received: ReceivedCall[] = [];
  const oauth = new OAuth(state, now);
  const deps: ServerDeps = { routeDeps, routes, limiter: new RateLimiter(timeScale, now), faults, holds, gateway, calls, received, oauth };

  const listeners = await Promise.all([listen("opencloud", deps), listen("users", deps), listen("thumbnails", deps)]);
  const [openCloud, users, thumbnails] = listeners;

  const requireKey = (key: string) => {
    const record = state.apiKeys.get(key);
    if (record === undefined) throw new Error("no such API key was added");
    return record;
  };

  return {
    openCloudUrl: openCloud.url,
    oauthUrl: `${openCloud.url}/oauth`,
    usersUrl: users.url,
    thumbnailsUrl: thumbnails.url,
    addApiKey: (key) => state.addApiKey(key),
    revokeApiKey: (key) => {
      requireKey(key);
      state.apiKeys.delete(key);
    },
    updateApiKey: (key, changes) => Object.assign(requireKey(key), changes),
    addUser: (user) => state.addUser(user),
    addOAuthApp: (app) => oauth.addApp(app),
    addUniverse: (universe) => state.addUniverse(universe),
    addGroup: (group) => state.addGroup(group),
    addJoinRequest: (request) => state.addJoinRequest(request),
    addMembership: (membership) => state.addMembership(membership),
    rankOnWebsite: ({ groupId, userId, roleId, actorId }) => {
      const group = state.requireGroup(groupId);
      const membership = state.membersOf(groupId).get(userId);
      const before = group.roles.filter((role) => membership?.roleIds.includes(role.id) === true).sort((a, b) => b.rank - a.rank)[0];
      const after = group.roles.find((role) => role.id === roleId);
      if (membership === undefined || after === undefined) throw new Error(`${userId} is not in group ${groupId}, or it has no role ${roleId}`);
      membership.roleIds = [roleId];
      state.audit(groupId, actorId, "ChangeRank", userId, {
        OldRoleSetId: Number(before?.id ?? 0),
        NewRoleSetId: Number(roleId),
        OldRoleSetName: before?.displayName ?? "",
        NewRoleSetName: after.displayName,
      });
    },
    removeOnWebsite: ({ groupId, userId, actorId }) => {
      state.requireGroup(groupId);
      if (!state.membersOf(groupId).delete(userId)) throw new Error(`${userId} is not in group ${groupId}`);
      state.audit(groupId, actorId, "RemoveMember", userId);
    },
    banFromGroupOnWebsite: ({ groupId, userId, actorId, active = true }) => {
      state.requireGroup(groupId);
      const banned = state.groupBansOf(groupId);
      if (banned.has(userId) === active) throw new Error(`${userId} is ${active ? "already" : "not"} banned from group ${groupId}`);
      if (active) {
        banned.add(userId);
        state.membersOf(groupId).delete(userId);
      } else banned.delete(userId);
      state.audit(groupId, actorId, active ? "BanMember" : "UnbanMember", userId);
    },
    banFromCreatorHub: ({ moderatorId, ...ban }) =>
      restrictions.applyOutOfBand(ban, { robloxUser: `users/${moderatorId}` }),
    banFromGameServer: (ban) => restrictions.applyOutOfBand(ban, { gameServerScript: {} }),
    restriction: (universeId, userId, placeId) => restrictions.current(universeId, userId, placeId),
    logs: (universeId) => restrictions.logs(universeId),
    joinRequests: (groupId) =>
      [...state.joinRequestsOf(groupId).values()].map(({ userId, createTime }) => ({ userId, createTime })),
    members: (groupId) => {
      const group = state.groups.get(groupId);
      return [...state.membersOf(groupId).values()].map((membership) => {
        const held = (group?.roles ?? []).filter((role) => membership.roleIds.includes(role.id));
        const highest = held.reduce((best, role) => (role.rank > best.rank ? role : best), held[0] ?? { id: "", rank: -1 });
        return { userId: membership.userId, roleId: highest.id, roleIds: [...membership.roleIds] };
      });
    },
    calls,
    received,
    clearCalls: () => {
      calls.length = 0;
      received.length = 0;
    },
    setFaults: (changes) => faults.set(changes),
    holdCalls: (matches) => holds.hold(matches),
    setScopeTrap: (enabled) => {
      gateway.scopeTrap = enabled;
    },
    close: async () => {
      await Promise.all(listeners.map((listener) => listener.close()));
    },
  };
}
