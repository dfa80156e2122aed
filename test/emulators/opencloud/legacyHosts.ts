/**
 * The two legacy hosts Warden still needs, each on its own port because they
 * are different hosts in reality: users.roblox.com (usernames to ids, also
 * matching previous names) and thumbnails.roblox.com (avatar headshots). No
 * auth; errors in the legacy `{errors: [{code, message}]}` shape.
 */
import { z } from "zod";
import { LegacyError, type JsonResponse } from "./errors.js";
import type { EmulatorState } from "./state.js";

/** Roblox's observed batch limit; the spec names the error ("2: Too many usernames.") but not the number. */
const MAX_USERNAMES = 100;
const MAX_HEADSHOT_IDS = 100;
const HEADSHOT_SIZES = ["48x48", "50x50", "60x60", "75x75", "100x100", "110x110", "150x150", "180x180", "352x352", "420x420", "720x720"];
const HEADSHOT_FORMATS = ["Png", "Jpeg", "Webp"];

const usernamesBody = z.strictObject({
  usernames: z.array(z.string()),
  excludeBannedUsers: z.boolean().optional(),
});

const notFoundRoute = () => new LegacyError(404, 0, "NotFound");

export function handleUsersHost(state: EmulatorState, method: string, path: string, body: unknown): JsonResponse {
  if (method !== "POST" || path !== "/v1/usernames/users") throw notFoundRoute();
  const parsed = usernamesBody.safeParse(body);
  if (!parsed.success) throw new LegacyError(400, 0, "The request is invalid.");
  const { usernames, excludeBannedUsers = false } = parsed.data;
  if (usernames.length > MAX_USERNAMES) throw new LegacyError(400, 2, "Too many usernames.");
  const data = usernames.flatMap((requested) => {
    const wanted = requested.toLowerCase();
    const user =
      [...state.users.values()].find((candidate) => candidate.name.toLowerCase() === wanted) ??
      [...state.users.values()].find((candidate) => candidate.previousNames.some((name) => name.toLowerCase() === wanted));
    if (user === undefined || (excludeBannedUsers && user.terminated)) return [];
    return [
      {
        requestedUsername: requested,
        hasVerifiedBadge: user.hasVerifiedBadge,
        id: Number(user.id),
        name: user.name,
        displayName: user.displayName,
      },
    ];
  });
  return { status: 200, body: { data } };
}

function booleanParam(query: URLSearchParams, name: string): void {
  const value = query.get(name);
  if (value !== null && value !== "true" && value !== "false") {
    throw new LegacyError(400, 0, `The value '${value}' is not valid for ${name}.`);
  }
}

export function handleThumbnailsHost(state: EmulatorState, method: string, path: string, query: URLSearchParams): JsonResponse {
  if (method !== "GET" || path !== "/v1/users/avatar-headshot") throw notFoundRoute();
  const rawIds = query.get("userIds");
  const ids = rawIds === null || rawIds.trim() === "" ? [] : rawIds.split(",").map((id) => id.trim());
  if (ids.length === 0 || ids.some((id) => !/^[1-9]\d{0,18}$/.test(id))) {
    throw new LegacyError(400, 4, "The requested Ids are invalid, of an invalid type or missing.");
  }
  if (ids.length > MAX_HEADSHOT_IDS) throw new LegacyError(400, 1, "There are too many requested Ids.");
  const size = query.get("size") ?? "48x48";
  const format = query.get("format") ?? "Png";
  if (!HEADSHOT_FORMATS.includes(format)) {
    throw new LegacyError(400, 2, "The requested image format is invalid. Please see documentation for valid thumbnail format parameter name and values.");
  }
  if (!HEADSHOT_SIZES.includes(size)) {
    throw new LegacyError(400, 3, "The requested size is invalid. Please see documentation for valid thumbnail size parameter name and format.");
  }
  for (const name of ["isCircular", "includeBackground", "includeProfileFrame"]) booleanParam(query, name);
  const [width] = size.split("x");
  const data = ids.map((id) => {
    const user = state.users.get(id);
    if (user === undefined) return { targetId: Number(id), state: "Error", imageUrl: null, version: "" };
    const completed = user.headshotState === "Completed";
    return {
      targetId: Number(id),
      state: user.headshotState,
      imageUrl: completed ? `https://tr.rbxcdn.com/emulated-headshot-${id}/${width}/${width}/AvatarHeadshot/${format}/noFilter` : null,
      version: "TN3",
    };
  });
  return { status: 200, body: { data } };
}
