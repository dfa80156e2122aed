import { ApiKeys } from "./apiKeys.js";
import { Caller, KeyHandle, type CallObserver, type Logger } from "./call.js";
import { Groups } from "./groups.js";
import { type RobloxId, toId } from "./ids.js";
import { systemClock } from "./rateBudget.js";
import type { SharedLedger } from "./sharedLedger.js";
import { Thumbnails } from "./thumbnails.js";
import { Universes } from "./universes.js";
import { Usernames } from "./usernames.js";
import { UserRestrictions } from "./userRestrictions.js";
import { Users } from "./users.js";

export interface OpenCloudOptions {
  /** Base of `/cloud/v2/...` and `/api-keys/v1/introspect` (https://apis.roblox.com). */
  openCloudUrl: string;
  /** Base of `POST /v1/usernames/users` (https://users.roblox.com). */
  usersUrl: string;
  /** Base of `GET /v1/users/avatar-headshot` (https://thumbnails.roblox.com). */
  thumbnailsUrl: string;
  /** Per attempt, body included. Default 10 s. */
  timeoutMs?: number;
  /**
   * Retries after the first attempt, for 5xx, network faults, timeouts and 429. Default 6:
   * with backoff capped at 8 s that is under a minute, and it keeps a bulk run through a
   * bad patch of Roblox (one failure in five) at about one lost call in 100,000.
   */
  maxRetries?: number;
  /** First backoff ceiling; doubles per retry (full jitter). Default 250 ms. */
  backoffBaseMs?: number;
  /** Longest single backoff. Default 8 s. */
  backoffMaxMs?: number;
  /**
   * Divides every rate-limit window: 60 plans a minute's budget per second.
   * Only for tests against a time-scaled emulator. Default 1.
   */
  timeScale?: number;
  /**
   * How long a restriction update may wait for the player's 2/min budget
   * before PlayerUpdateLimitError is thrown instead (calls may override). Default 5 s.
   */
  playerLimitMaxWaitMs?: number;
  logger?: Logger;
  observer?: CallObserver;
  /** Budgets shared with the other processes of a deployment (see SharedLedger). */
  sharedLedger?: SharedLedger;
}

/** The resources that need an API key, bound to one. */
export interface KeyedOpenCloud {
  readonly userRestrictions: UserRestrictions;
  readonly users: Users;
  readonly groups: Groups;
  readonly universes: Universes;
}

export interface OpenCloud {
  /**
   * Binds a key (each guild has its own). Cheap: call it per request. Pass
   * `ownerId` (introspection's `authorizedUserId`) when known: Roblox counts
   * limits per key owner, so two keys of one owner then share one budget.
   * Pass `tenant`, whoever the calls are made for, when several share this
   * client: where their calls wait on one budget (a universe, a key owner),
   * each tenant's queue takes its turn instead of the longest queue going first.
   */
  withKey(apiKey: string, options?: { ownerId?: RobloxId; tenant?: string }): KeyedOpenCloud;
  readonly usernames: Usernames;
  readonly thumbnails: Thumbnails;
  readonly apiKeys: ApiKeys;
  /** Fails queued calls, lets calls in flight finish, and closes the connections. */
  close(): Promise<void>;
}

export function createOpenCloud(options: OpenCloudOptions): OpenCloud {
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new RangeError("timeScale must be positive");
  const caller = new Caller({
    baseUrls: { openCloud: options.openCloudUrl, users: options.usersUrl, thumbnails: options.thumbnailsUrl },
    timeoutMs: options.timeoutMs ?? 10_000,
    retry: {
      maxRetries: options.maxRetries ?? 6,
      backoffBaseMs: options.backoffBaseMs ?? 250,
      backoffMaxMs: options.backoffMaxMs ?? 8_000,
      // Longer than any documented window: a 429 asking for more is not one a retry loop should sit out.
      maxRetryAfterMs: 65_000,
      random: Math.random,
    },
    timeScale,
    playerLimitMaxWaitMs: options.playerLimitMaxWaitMs ?? 5_000,
    connectionsPerOrigin: 32,
    clock: systemClock,
    logger: options.logger,
    observer: options.observer,
    sharedLedger: options.sharedLedger,
  });
  return {
    withKey(apiKey, keyOptions = {}) {
      const ownerId = keyOptions.ownerId === undefined ? undefined : toId(keyOptions.ownerId, "ownerId");
      const key = new KeyHandle(apiKey, ownerId, keyOptions.tenant);
      return {
        userRestrictions: new UserRestrictions(caller, key),
        users: new Users(caller, key),
        groups: new Groups(caller, key),
        universes: new Universes(caller, key),
      };
    },
    usernames: new Usernames(caller),
    thumbnails: new Thumbnails(caller),
    apiKeys: new ApiKeys(caller),
    close: () => caller.close(),
  };
}

export type { CallObserver, Logger, PlayerLimitPolicy } from "./call.js";
export type { BucketSpec } from "./rateBudget.js";
export type { SharedLedger } from "./sharedLedger.js";
export { keyFingerprint } from "./call.js";
export {
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  OpenCloudError,
  PermissionDeniedError,
  PlayerUpdateLimitError,
  RateLimitedError,
  UnauthenticatedError,
  UnavailableError,
  UnexpectedResponseError,
  WriteNotAppliedError,
  userMessage,
} from "./errors.js";
export type { RobloxId } from "./ids.js";
export type { OperationName } from "./operations.js";
export type { Page, PageOptions, Paginator } from "./paginate.js";
export { type ScopeNeed, missingScopes } from "./apiKeys.js";
export { MAX_JOIN_REQUEST_PAGE, type MembershipFilter } from "./groups.js";
export {
  type Gated,
  type Group,
  type GroupMembership,
  type GroupRole,
  type AuditLogEntry,
  type Headshot,
  type JoinRequest,
  type KeyIntrospection,
  type Place,
  type ResolvedUsername,
  type RestrictionLogEntry,
  type RobloxUser,
  type Universe,
  type UserRestriction,
  MAX_DURATION_SECONDS,
  formatDuration,
  parseDuration,
} from "./schemas.js";
export type { HeadshotOptions, HeadshotSize } from "./thumbnails.js";
export {
  type BanInput,
  type IdempotencyKey,
  type ListLogsInput,
  type RestrictionTarget,
  type UnbanInput,
  newIdempotencyKey,
} from "./userRestrictions.js";
export type { ThumbnailOptions, ThumbnailSize } from "./users.js";
export type { ApiKeys } from "./apiKeys.js";
export type { Groups } from "./groups.js";
export type { Thumbnails } from "./thumbnails.js";
export type { Universes } from "./universes.js";
export type { Usernames } from "./usernames.js";
export type { UserRestrictions } from "./userRestrictions.js";
export type { Users } from "./users.js";
