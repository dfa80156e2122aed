import { z } from "zod";
import { idFromPath } from "./ids.js";

/**
 * Wire formats of every response this client reads, each transformed into
 * the plain object callers get. Open Cloud speaks proto3 JSON, which omits
 * fields holding their default (false, "", 0), so absent means default here.
 */

export const MAX_DURATION_SECONDS = 315_576_000_000;

/** Seconds as a protobuf Duration string; whole seconds only, as Roblox stores them. */
export function formatDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_DURATION_SECONDS) {
    throw new RangeError(`a restriction lasts 1 to ${MAX_DURATION_SECONDS} whole seconds, not ${seconds}`);
  }
  return `${seconds}s`;
}

/** `"604800s"` → 604800; `"1.5s"` → 1.5; anything else → undefined. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(text.trim());
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** RFC 3339 → Date; Roblox sends up to nanoseconds, which Date cannot hold. */
export function parseTime(text: string | undefined): Date | null {
  if (!text) return null;
  const date = new Date(text.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isNaN(date.getTime()) ? null : date;
}

const time = z.string().optional().transform(parseTime);
const text = z.string().default("");
const flag = z.boolean().default(false);
const duration = z
  .string()
  .optional()
  .refine((d) => d === undefined || d === "" || parseDuration(d) !== undefined, "not a protobuf Duration")
  .transform((d) => (d ? (parseDuration(d) ?? null) : null));

function endTime(start: Date | null, seconds: number | null): Date | null {
  return start && seconds !== null ? new Date(start.getTime() + seconds * 1_000) : null;
}

// ---- user restrictions -------------------------------------------------------

const RESTRICTION_PATH = /^universes\/(\d+)(?:\/places\/(\d+))?\/user-restrictions\/(\d+)$/;

export const userRestrictionSchema = z
  .object({
    path: z.string().regex(RESTRICTION_PATH, "not a user-restriction path"),
    updateTime: time,
    gameJoinRestriction: z
      .object({
        active: flag,
        startTime: time,
        duration,
        privateReason: text,
        displayReason: text,
        excludeAltAccounts: flag,
        inherited: flag,
      })
      .prefault({}),
  })
  .transform(({ path, updateTime, gameJoinRestriction: r }) => {
    const [, universeId = "", placeId, userId = ""] = RESTRICTION_PATH.exec(path) ?? [];
    return {
      path,
      universeId,
      placeId: placeId ?? null,
      userId,
      updateTime,
      active: r.active,
      startTime: r.startTime,
      /** null: permanent. */
      durationSeconds: r.duration,
      /** When a timed restriction runs out; null when permanent or never started. */
      endTime: endTime(r.startTime, r.duration),
      privateReason: r.privateReason,
      displayReason: r.displayReason,
      excludeAltAccounts: r.excludeAltAccounts,
      /** True at a place when the restriction comes from its universe. */
      inherited: r.inherited,
    };
  });
export type UserRestriction = z.output<typeof userRestrictionSchema>;

export const listUserRestrictionsSchema = z.object({
  userRestrictions: z.array(userRestrictionSchema).default([]),
  nextPageToken: z.string().optional(),
});

const moderatorSchema = z
  .object({ robloxUser: z.string().optional(), gameServerScript: z.object({}).optional() })
  .prefault({})
  .transform((m): { kind: "robloxUser"; userId: string } | { kind: "gameServerScript" } | { kind: "unknown" } => {
    const userId = idFromPath(m.robloxUser, "users");
    if (userId) return { kind: "robloxUser", userId };
    if (m.gameServerScript) return { kind: "gameServerScript" };
    return { kind: "unknown" };
  });

export const restrictionLogSchema = z
  .object({
    user: z.string(),
    place: z.string().default(""),
    moderator: moderatorSchema,
    createTime: time,
    active: flag,
    startTime: time,
    duration,
    privateReason: text,
    displayReason: text,
    excludeAltAccounts: flag,
  })
  .refine((log) => idFromPath(log.user, "users") !== null, { message: "not a user path", path: ["user"] })
  .transform((log) => ({
    userId: idFromPath(log.user, "users") ?? "",
    /** null for a universe-level change. */
    placeId: idFromPath(log.place, "places"),
    /** A Creator Hub or Open Cloud change shows a robloxUser; a ban from a game server a gameServerScript. */
    moderator: log.moderator,
    createTime: log.createTime,
    active: log.active,
    startTime: log.startTime,
    durationSeconds: log.duration,
    endTime: endTime(log.startTime, log.duration),
    privateReason: log.privateReason,
    displayReason: log.displayReason,
    excludeAltAccounts: log.excludeAltAccounts,
  }));
export type RestrictionLogEntry = z.output<typeof restrictionLogSchema>;

export const listRestrictionLogsSchema = z.object({
  logs: z.array(restrictionLogSchema).default([]),
  nextPageToken: z.string().optional(),
});

// ---- users -------------------------------------------------------------------

/**
 * A field Roblox fills only when the key holds a scope, answering with the
 * default otherwise. `mayBeHidden` is true when the value is that default:
 * "not verified" and "not allowed to know" look the same on the wire.
 */
export interface Gated<T> {
  value: T;
  mayBeHidden: boolean;
}

const socialProfilesSchema = z
  .object({
    facebook: text,
    twitter: text,
    youtube: text,
    twitch: text,
    guilded: text,
    visibility: z.string().default("SOCIAL_NETWORK_VISIBILITY_UNSPECIFIED"),
  })
  .prefault({});

export const userSchema = z
  .object({
    path: z.string(),
    id: z.string().regex(/^\d+$/),
    name: text,
    displayName: text,
    about: text,
    locale: text,
    createTime: time,
    premium: flag,
    // Reference 000 (the beta announcement) calls this `verified` and gates `premium` too;
    // the specification has `idVerified`, gated by user.advanced:read, and `premium` public. We follow the spec.
    idVerified: flag,
    socialNetworkProfiles: socialProfilesSchema,
  })
  .transform((u) => {
    const { visibility, ...links } = u.socialNetworkProfiles;
    const socialEmpty = Object.values(links).every((link) => link === "") && visibility === "SOCIAL_NETWORK_VISIBILITY_UNSPECIFIED";
    return {
      id: u.id,
      path: u.path,
      name: u.name,
      displayName: u.displayName,
      about: u.about,
      locale: u.locale,
      /** Account creation, for account-age checks. */
      createTime: u.createTime,
      premium: u.premium,
      /** Needs user.advanced:read. */
      idVerified: { value: u.idVerified, mayBeHidden: !u.idVerified } satisfies Gated<boolean>,
      /** Needs user.social:read. */
      socialNetworkProfiles: { value: { ...links, visibility }, mayBeHidden: socialEmpty } satisfies Gated<
        typeof links & { visibility: string }
      >,
    };
  });
export type RobloxUser = z.output<typeof userSchema>;

/** google.rpc.Status inside an Operation: `code` is the numeric gRPC code. */
const statusSchema = z.object({ code: z.number().default(0), message: text });

export const thumbnailOperationSchema = z.object({
  path: z.string().default(""),
  done: flag,
  error: statusSchema.optional(),
  response: z.object({ imageUri: z.string().optional() }).loose().optional(),
});
export type ThumbnailOperation = z.output<typeof thumbnailOperationSchema>;

// ---- groups ------------------------------------------------------------------

export const groupSchema = z
  .object({
    path: z.string(),
    id: z.string().regex(/^\d+$/),
    displayName: text,
    description: text,
    owner: z.string().optional(),
    memberCount: z.number().default(0),
    publicEntryAllowed: flag,
    locked: flag,
    verified: flag,
    createTime: time,
    updateTime: time,
  })
  .transform(({ owner, ...group }) => ({
    ...group,
    /** null when the group is abandoned. */
    ownerId: idFromPath(owner, "users"),
  }));
export type Group = z.output<typeof groupSchema>;

const JOIN_REQUEST_PATH = /^groups\/(\d+)\/join-requests\/(\d+)$/;

export const joinRequestSchema = z
  .object({
    path: z.string().regex(JOIN_REQUEST_PATH, "not a join-request path"),
    createTime: time,
    user: z.string().optional(),
  })
  .transform(({ path, createTime, user }) => {
    const [, groupId = "", requestId = ""] = JOIN_REQUEST_PATH.exec(path) ?? [];
    // The join request id is the requesting user's id.
    return { path, groupId, userId: idFromPath(user, "users") ?? requestId, createTime };
  });
export type JoinRequest = z.output<typeof joinRequestSchema>;

export const listJoinRequestsSchema = z.object({
  groupJoinRequests: z.array(joinRequestSchema).default([]),
  nextPageToken: z.string().optional(),
});

export const membershipSchema = z
  .object({
    path: z.string(),
    user: z.string(),
    role: z.string().optional(),
    roles: z.array(z.string()).default([]),
    createTime: time,
    updateTime: time,
  })
  .refine((m) => idFromPath(m.user, "users") !== null, { message: "not a user path", path: ["user"] })
  .transform((m) => ({
    path: m.path,
    userId: idFromPath(m.user, "users") ?? "",
    /** The member's highest-ranked role. */
    roleId: idFromPath(m.role, "roles"),
    /** Every role held; prefer this over roleId (the spec's advice). */
    roleIds: m.roles.map((r) => idFromPath(r, "roles")).filter((id): id is string => id !== null),
    createTime: m.createTime,
    updateTime: m.updateTime,
  }));
export type GroupMembership = z.output<typeof membershipSchema>;

export const listMembershipsSchema = z.object({
  groupMemberships: z.array(membershipSchema).default([]),
  nextPageToken: z.string().optional(),
});

export const roleSchema = z
  .object({
    path: z.string(),
    id: z.string().regex(/^\d+$/),
    displayName: text,
    description: text,
    rank: z.number().default(0),
    memberCount: z.number().optional(),
  })
  .transform((role) => ({ ...role, memberCount: role.memberCount ?? null }));
export type GroupRole = z.output<typeof roleSchema>;

export const listRolesSchema = z.object({
  groupRoles: z.array(roleSchema).default([]),
  nextPageToken: z.string().optional(),
});

/** Legacy ids are JSON numbers; kept as digit strings like every other id. */
const legacyId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String);

/**
 * One audit log entry. The specification leaves `description` untyped; the
 * fields read here are the ones Roblox shows for the actions Warden records
 * (TargetId for every one; the new role set of a rank change or role
 * assignment), and an entry without them is kept as an unknown action.
 */
export const auditLogEntrySchema = z
  .object({
    actor: z.object({ user: z.object({ userId: legacyId }).optional() }).optional(),
    actionType: z.string(),
    description: z.unknown(),
    created: time,
  })
  .transform((entry) => {
    const described = z
      .object({
        TargetId: legacyId.optional(),
        NewRoleSetId: legacyId.optional(),
        NewRoleSetName: z.string().optional(),
        OldRoleSetId: legacyId.optional(),
        OldRoleSetName: z.string().optional(),
        RoleSetId: legacyId.optional(),
        RoleSetName: z.string().optional(),
      })
      .safeParse(entry.description);
    const fields = described.success ? described.data : {};
    return {
      actorUserId: entry.actor?.user?.userId ?? null,
      actionType: entry.actionType,
      targetUserId: fields.TargetId ?? null,
      /** The role given: a rank change's new role set, or the role assigned. */
      newRole: fields.NewRoleSetId !== undefined ? { id: fields.NewRoleSetId, name: fields.NewRoleSetName ?? "" } : fields.RoleSetId !== undefined ? { id: fields.RoleSetId, name: fields.RoleSetName ?? "" } : null,
      oldRole: fields.OldRoleSetId !== undefined ? { id: fields.OldRoleSetId, name: fields.OldRoleSetName ?? "" } : null,
      created: entry.created,
    };
  });
export type AuditLogEntry = z.output<typeof auditLogEntrySchema>;

export const auditLogPageSchema = z.object({
  data: z.array(auditLogEntrySchema).default([]),
  nextPageCursor: z.string().nullish(),
});

// ---- universes and places ----------------------------------------------------

export const universeSchema = z
  .object({
    path: z.string(),
    displayName: text,
    description: text,
    user: z.string().optional(),
    group: z.string().optional(),
    visibility: z.string().default("VISIBILITY_UNSPECIFIED"),
    rootPlace: z.string().optional(),
    createTime: time,
    updateTime: time,
  })
  .refine((u) => idFromPath(u.path, "universes") !== null, { message: "not a universe path", path: ["path"] })
  .transform(({ user, group, rootPlace, ...u }) => ({
    ...u,
    id: idFromPath(u.path, "universes") ?? "",
    ownerUserId: idFromPath(user, "users"),
    ownerGroupId: idFromPath(group, "groups"),
    rootPlaceId: idFromPath(rootPlace, "places"),
  }));
export type Universe = z.output<typeof universeSchema>;

export const placeSchema = z
  .object({
    path: z.string(),
    displayName: text,
    description: text,
    root: flag,
    createTime: time,
    updateTime: time,
  })
  .refine((p) => idFromPath(p.path, "places") !== null, { message: "not a place path", path: ["path"] })
  .transform((p) => ({
    ...p,
    id: idFromPath(p.path, "places") ?? "",
    universeId: idFromPath(p.path, "universes") ?? "",
  }));
export type Place = z.output<typeof placeSchema>;

// ---- public hosts ------------------------------------------------------------

const numericId = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String);

export const usernamesSchema = z.object({
  data: z
    .array(
      z.object({
        requestedUsername: z.string(),
        id: numericId,
        name: z.string(),
        displayName: z.string().default(""),
        hasVerifiedBadge: flag,
      }),
    )
    .default([]),
});
export type ResolvedUsername = z.output<typeof usernamesSchema>["data"][number];

export const headshotsSchema = z.object({
  data: z
    .array(
      z.object({
        targetId: numericId,
        /** `Completed`, `Pending`, `Blocked`, `Error`...: only Completed carries a usable image. */
        state: z.string(),
        imageUrl: z.string().nullable().default(null),
        version: z.string().nullable().default(null),
      }),
    )
    .default([]),
});
export type Headshot = z.output<typeof headshotsSchema>["data"][number];

// ---- API keys ----------------------------------------------------------------

// `*` stands for every universe (or group, or user) the owner has.
const idList = z.array(z.union([z.string(), z.number()]).transform(String)).default([]);

export const introspectionSchema = z
  .object({
    name: text,
    authorizedUserId: numericId.optional(),
    scopes: z
      .array(
        z.object({
          name: z.string(),
          operations: z.array(z.string()).default([]),
          universeIds: idList,
          groupIds: idList,
          userIds: idList,
        }),
      )
      .default([]),
    enabled: flag,
    expired: flag,
    expirationTimeUtc: z.string().nullable().optional(),
  })
  .transform(({ authorizedUserId, expirationTimeUtc, ...key }) => ({
    ...key,
    /** The key's owner: Roblox counts rate limits per owner, so pass this to `withKey`. */
    authorizedUserId: authorizedUserId ?? null,
    /** null when the key has no expiry date (it still lapses after 60 unused days). */
    expirationTime: parseTime(expirationTimeUtc ?? undefined),
  }));
export type KeyIntrospection = z.output<typeof introspectionSchema>;
