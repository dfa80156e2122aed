/**
 * The Ban API: UserRestriction get/list/update at universe and place level,
 * `:listLogs`, idempotent updates, and bans made outside Open Cloud (Creator
 * Hub, game servers) that tests inject to see them surface in the logs.
 */
import { z } from "zod";
import { invalidArgument } from "./errors.js";
import { parseFilter } from "./filters.js";
import { ok, requireBody, type CloudRequest, type CloudRoute, type RouteDeps } from "./router.js";
import {
  iso,
  type ApiKeyRecord,
  type EmulatorState,
  type LogRecord,
  type Moderator,
  type RestrictionRecord,
} from "./state.js";
import { allowOnlyParams, codePoints, parseBody, parseRfc3339 } from "./validation.js";

export interface GameJoinRestriction {
  active: boolean;
  startTime?: string;
  duration?: string;
  privateReason: string;
  displayReason: string;
  excludeAltAccounts: boolean;
  inherited: boolean;
}

export interface UserRestriction {
  path: string;
  updateTime?: string;
  user: string;
  gameJoinRestriction: GameJoinRestriction;
}

export interface LogEntry {
  user: string;
  place: string;
  moderator: Moderator;
  createTime: string;
  active: boolean;
  startTime?: string;
  duration?: string;
  privateReason: string;
  displayReason: string;
  restrictionType: { gameJoinRestriction: Record<string, never> };
  excludeAltAccounts: boolean;
}

/** A ban or unban made outside Open Cloud; the moderator tells where it came from. */
export interface OutOfBandBan {
  universeId: string;
  userId: string;
  placeId?: string;
  /** Default true; false lifts the restriction. */
  active?: boolean;
  duration?: string;
  privateReason?: string;
  displayReason?: string;
  excludeAltAccounts?: boolean;
}

const MAX_DURATION_SECONDS = 315_576_000_000;
const MAX_PRIVATE_REASON = 1_000;
const MAX_DISPLAY_REASON = 400;
/** The spec promises a minimum lifetime without naming it; a day is what a retrying client needs. */
const IDEMPOTENCY_LIFETIME_MS = 24 * 60 * 60 * 1000;
const MAX_PAGE_SIZE = 100;

/**
 * The spec writes the mask in proto style (`game_join_restriction`), CONTRACT.md
 * and every example in JSON style (`gameJoinRestriction`); a FieldMask in JSON
 * accepts both spellings. Anything indexing into it is refused, as the spec says.
 */
const WHOLE_RESTRICTION_MASKS = new Set(["gameJoinRestriction", "game_join_restriction"]);

const gameJoinRestrictionBody = z.strictObject({
  active: z.boolean().optional(),
  startTime: z.string().optional(),
  duration: z.string().optional(),
  privateReason: z.string().optional(),
  displayReason: z.string().optional(),
  excludeAltAccounts: z.boolean().optional(),
  inherited: z.boolean().optional(),
});

const updateBody = z.strictObject({
  path: z.string().optional(),
  updateTime: z.string().optional(),
  user: z.string().optional(),
  gameJoinRestriction: gameJoinRestrictionBody,
});

interface RestrictionChange {
  active: boolean;
  duration: string | undefined;
  privateReason: string;
  displayReason: string;
  excludeAltAccounts: boolean;
}

/** Protobuf Duration in whole seconds, "1s" to "315576000000s". */
function checkDuration(duration: string): void {
  const match = /^(\d+)s$/.exec(duration);
  const seconds = match === null ? Number.NaN : Number(match[1]);
  if (!(seconds >= 1 && seconds <= MAX_DURATION_SECONDS)) {
    throw invalidArgument(
      `Invalid duration "${duration}": whole seconds such as "3600s", from 1s to ${MAX_DURATION_SECONDS}s.`,
    );
  }
}

function checkChange(change: RestrictionChange): void {
  if (change.duration !== undefined) checkDuration(change.duration);
  if (codePoints(change.privateReason) > MAX_PRIVATE_REASON) {
    throw invalidArgument(`privateReason is longer than ${MAX_PRIVATE_REASON} characters.`);
  }
  if (codePoints(change.displayReason) > MAX_DISPLAY_REASON) {
    throw invalidArgument(`displayReason is longer than ${MAX_DISPLAY_REASON} characters.`);
  }
}

function restrictionJson(record: RestrictionRecord | undefined, inherited: boolean): GameJoinRestriction {
  if (record === undefined) {
    return { active: false, privateReason: "", displayReason: "", excludeAltAccounts: false, inherited: false };
  }
  return {
    active: record.active,
    ...(record.startTime === undefined ? {} : { startTime: record.startTime }),
    ...(record.duration === undefined ? {} : { duration: record.duration }),
    privateReason: record.privateReason,
    displayReason: record.displayReason,
    excludeAltAccounts: record.excludeAltAccounts,
    inherited,
  };
}

export class UserRestrictions {
  /** `${owner}|${idempotency key}` -> the first request and its answer. */
  private readonly idempotency = new Map<string, { signature: string; firstSent: string; answer: UserRestriction }>();

  constructor(
    private readonly state: EmulatorState,
    private readonly now: () => number,
  ) {}

  /** What a GET answers, resolving a universe ban into every place that has none of its own. */
  view(universeId: string, userId: string, placeId?: string): { record: RestrictionRecord | undefined; inherited: boolean } {
    const universeRecord = this.state.universeRestrictionsOf(universeId).get(userId);
    if (placeId === undefined) return { record: universeRecord, inherited: false };
    const placeRecord = this.state.placeRestrictionsOf(universeId, placeId).get(userId);
    if (placeRecord?.active) return { record: placeRecord, inherited: false };
    if (universeRecord?.active) return { record: universeRecord, inherited: true };
    return { record: placeRecord, inherited: false };
  }

  resource(universeId: string, userId: string, placeId?: string): UserRestriction {
    const { record, inherited } = this.view(universeId, userId, placeId);
    const parent = placeId === undefined ? `universes/${universeId}` : `universes/${universeId}/places/${placeId}`;
    return {
      path: `${parent}/user-restrictions/${userId}`,
      ...(record === undefined ? {} : { updateTime: record.updateTime }),
      user: `users/${userId}`,
      gameJoinRestriction: restrictionJson(record, inherited),
    };
  }

  /** The restriction a GET would show, or undefined when the player was never restricted there. */
  current(universeId: string, userId: string, placeId?: string): GameJoinRestriction | undefined {
    const { record, inherited } = this.view(universeId, userId, placeId);
    return record === undefined ? undefined : restrictionJson(record, inherited);
  }

  apply(target: { universeId: string; userId: string; placeId?: string }, change: RestrictionChange, moderator: Moderator): void {
    const time = iso(this.now());
    const record: RestrictionRecord = {
      active: change.active,
      startTime: change.active ? time : undefined,
      duration: change.active ? change.duration : undefined,
      privateReason: change.privateReason,
      displayReason: change.displayReason,
      excludeAltAccounts: change.excludeAltAccounts,
      updateTime: time,
    };
    const restrictions =
      target.placeId === undefined
        ? this.state.universeRestrictionsOf(target.universeId)
        : this.state.placeRestrictionsOf(target.universeId, target.placeId);
    restrictions.set(target.userId, record);
    this.state.logsOf(target.universeId).push({
      userId: target.userId,
      placeId: target.placeId,
      moderator,
      createTime: time,
      active: record.active,
      startTime: record.startTime,
      duration: record.duration,
      privateReason: record.privateReason,
      displayReason: record.displayReason,
      excludeAltAccounts: record.excludeAltAccounts,
    });
  }

  /** Test helper: a ban (or unban) made outside Open Cloud. Throws on what the API would refuse. */
  applyOutOfBand(ban: OutOfBandBan, moderator: Moderator): void {
    this.state.requireUser(ban.userId);
    if (ban.placeId === undefined) this.state.requireUniverse(ban.universeId);
    else this.state.requirePlace(ban.universeId, ban.placeId);
    const change: RestrictionChange = {
      active: ban.active ?? true,
      duration: ban.duration,
      privateReason: ban.privateReason ?? "",
      displayReason: ban.displayReason ?? "",
      excludeAltAccounts: ban.excludeAltAccounts ?? false,
    };
    checkChange(change);
    this.apply(ban, change, moderator);
  }

  logs(universeId: string): LogEntry[] {
    return [...this.state.logsOf(universeId)].reverse().map(logJson);
  }

  routes(deps: RouteDeps): CloudRoute[] {
    const universe = "/cloud/v2/universes/(?<universeId>[^/:]+)";
    const place = `${universe}/places/(?<placeId>[^/:]+)`;
    const read = (params: Record<string, string>) => ({
      required: "universe.user-restriction:read",
      target: { universeId: params.universeId },
    });
    const write = (params: Record<string, string>) => ({
      required: "universe.user-restriction:write",
      target: { universeId: params.universeId },
    });
    const perUniverse = (params: Record<string, string>) => ({ universeId: params.universeId });
    const perPlayer = (params: Record<string, string>) => ({ universeId: params.universeId, userId: params.userId });
    return [
      {
        method: "GET",
        pattern: new RegExp(`^${universe}/user-restrictions:listLogs$`),
        operation: "userRestrictions.listLogs",
        write: false,
        scope: read,
        rateScope: perUniverse,
        handle: (request) => this.listLogs(deps, request),
      },
      ...[universe, place].flatMap((parent): CloudRoute[] => [
        {
          method: "GET",
          pattern: new RegExp(`^${parent}/user-restrictions$`),
          operation: "userRestrictions.list",
          write: false,
          scope: read,
          rateScope: perUniverse,
          handle: (request) => this.list(deps, request),
        },
        {
          method: "GET",
          pattern: new RegExp(`^${parent}/user-restrictions/(?<userId>[^/:]+)$`),
          operation: "userRestrictions.get",
          write: false,
          scope: read,
          rateScope: perUniverse,
          handle: (request) => this.get(request),
        },
        {
          method: "PATCH",
          pattern: new RegExp(`^${parent}/user-restrictions/(?<userId>[^/:]+)$`),
          operation: "userRestrictions.update",
          write: true,
          scope: write,
          trapReadScope: "universe.user-restriction:read",
          rateScope: perPlayer,
          handle: (request) => this.update(request),
        },
      ]),
    ];
  }

  private requireTarget(params: Record<string, string>): { universeId: string; userId: string; placeId?: string } {
    const { universeId = "", userId = "", placeId } = params;
    if (placeId === undefined) this.state.requireUniverse(universeId);
    else this.state.requirePlace(universeId, placeId);
    this.state.requireUser(userId);
    return placeId === undefined ? { universeId, userId } : { universeId, userId, placeId };
  }

  private get(request: CloudRequest) {
    allowOnlyParams(request.query, []);
    const target = this.requireTarget(request.params);
    return ok(this.resource(target.universeId, target.userId, target.placeId));
  }

  private list(deps: RouteDeps, request: CloudRequest) {
    // The UserRestriction reference (003) shows `filter=` on this list; the
    // specification defines no filter for it, so a filter is refused here.
    allowOnlyParams(request.query, ["maxPageSize", "pageToken"]);
    const { universeId = "", placeId } = request.params;
    if (placeId === undefined) this.state.requireUniverse(universeId);
    else this.state.requirePlace(universeId, placeId);
    const userIds = new Set(this.state.universeRestrictionsOf(universeId).keys());
    if (placeId !== undefined) {
      for (const userId of this.state.placeRestrictionsOf(universeId, placeId).keys()) userIds.add(userId);
    }
    const listPath = placeId === undefined ? `universes/${universeId}` : `universes/${universeId}/places/${placeId}`;
    const page = deps.paginator.paginate(listPath, request.query, [...userIds], MAX_PAGE_SIZE);
    return ok({
      userRestrictions: page.items.map((userId) => this.resource(universeId, userId, placeId)),
      ...(page.nextPageToken === undefined ? {} : { nextPageToken: page.nextPageToken }),
    });
  }

  private listLogs(deps: RouteDeps, request: CloudRequest) {
    allowOnlyParams(request.query, ["maxPageSize", "pageToken", "filter"]);
    const { universeId = "" } = request.params;
    this.state.requireUniverse(universeId);
    // The spec's example quotes each clause separately (`"user == ..." && "place == ..."`);
    // CONTRACT.md and CEL itself write one expression, which is what is accepted.
    const filter = parseFilter(request.query.get("filter"), {
      fields: { user: /^users\/[1-9]\d*$/, place: /^places\/[1-9]\d*$/ },
      allowAnd: true,
    });
    const entries = this.logs(universeId).filter(
      (entry) =>
        (filter.user === undefined || entry.user === filter.user) &&
        (filter.place === undefined || entry.place === filter.place),
    );
    const page = deps.paginator.paginate(`universes/${universeId}:listLogs`, request.query, entries, MAX_PAGE_SIZE);
    return ok({
      logs: page.items,
      ...(page.nextPageToken === undefined ? {} : { nextPageToken: page.nextPageToken }),
    });
  }

  private update(request: CloudRequest) {
    allowOnlyParams(request.query, ["updateMask", "idempotencyKey.key", "idempotencyKey.firstSent"]);
    // The specification marks updateMask optional. Open Cloud v2 follows Google's AIP-134:
    // without a mask, the fields present in the body are the mask, which here is the whole
    // gameJoinRestriction. (CONTRACT.md's wording suggests a required mask; the spec wins.)
    const mask = request.query.get("updateMask")?.trim() || "gameJoinRestriction";
    for (const field of mask.split(",").map((part) => part.trim())) {
      if (!WHOLE_RESTRICTION_MASKS.has(field)) {
        throw invalidArgument(
          `Unsupported updateMask "${field}": gameJoinRestriction must be updated as a whole.`,
        );
      }
    }
    const body = parseBody(updateBody, requireBody(request.body));
    const target = this.requireTarget(request.params);
    const resourcePath = this.resource(target.universeId, target.userId, target.placeId).path;
    if (body.path !== undefined && body.path !== resourcePath) {
      throw invalidArgument(`Body path "${body.path}" does not match the request path "${resourcePath}".`);
    }
    const sent = body.gameJoinRestriction;
    // proto3: a missing `active` is false, so a body without it lifts the ban.
    const change: RestrictionChange = {
      active: sent.active ?? false,
      duration: sent.duration,
      privateReason: sent.privateReason ?? "",
      displayReason: sent.displayReason ?? "",
      excludeAltAccounts: sent.excludeAltAccounts ?? false,
    };
    checkChange(change);
    const idempotency = this.idempotencyOf(request);
    if (request.dryRun) return ok(this.resource(target.universeId, target.userId, target.placeId));
    const signature = JSON.stringify([resourcePath, change]);
    if (idempotency !== undefined) {
      const earlier = this.idempotency.get(idempotency.slot);
      if (earlier !== undefined) {
        if (earlier.signature !== signature || earlier.firstSent !== idempotency.firstSent) {
          throw invalidArgument("idempotencyKey.key was already used for a different request.");
        }
        return ok(earlier.answer);
      }
    }
    this.apply(target, change, moderatorOf(request.key));
    const answer = this.resource(target.universeId, target.userId, target.placeId);
    if (idempotency !== undefined) {
      this.idempotency.set(idempotency.slot, { signature, firstSent: idempotency.firstSent, answer });
    }
    return ok(answer);
  }

  private idempotencyOf(request: CloudRequest): { slot: string; firstSent: string } | undefined {
    const key = request.query.get("idempotencyKey.key");
    const firstSent = request.query.get("idempotencyKey.firstSent");
    if (key === null && firstSent === null) return undefined;
    if (key === null || key === "" || firstSent === null) {
      throw invalidArgument("idempotencyKey.key and idempotencyKey.firstSent go together.");
    }
    const sentAt = parseRfc3339(firstSent, "idempotencyKey.firstSent");
    if (this.now() - sentAt > IDEMPOTENCY_LIFETIME_MS) {
      throw invalidArgument("idempotencyKey.firstSent is older than the idempotency key's lifetime.");
    }
    return { slot: `${request.key.ownerType}:${request.key.ownerId}|${key}`, firstSent };
  }
}

/**
 * The spec's Moderator is `robloxUser` or `gameServerScript`, nothing else:
 * a change through an API key is attributed to the user the key acts for, so
 * it reads exactly like a Creator Hub ban by that user. A group key with no
 * known creating user has no user to show, so the moderator is left empty.
 */
function moderatorOf(key: ApiKeyRecord): Moderator {
  return key.authorizedUserId === undefined ? {} : { robloxUser: `users/${key.authorizedUserId}` };
}

function logJson(record: LogRecord): LogEntry {
  return {
    user: `users/${record.userId}`,
    place: record.placeId === undefined ? "" : `places/${record.placeId}`,
    moderator: record.moderator,
    createTime: record.createTime,
    active: record.active,
    ...(record.startTime === undefined ? {} : { startTime: record.startTime }),
    ...(record.duration === undefined ? {} : { duration: record.duration }),
    privateReason: record.privateReason,
    displayReason: record.displayReason,
    restrictionType: { gameJoinRestriction: {} },
    excludeAltAccounts: record.excludeAltAccounts,
  };
}
