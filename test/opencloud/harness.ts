import { type OpenCloudEmulator, type OpenCloudEmulatorOptions, startOpenCloudEmulator } from "../emulators/opencloud/index.js";
import { type OpenCloud, type OpenCloudOptions, createOpenCloud } from "../../src/opencloud/index.js";

export const UNIVERSE = "1";
export const PLACE = "10";
export const OTHER_PLACE = "11";
export const GROUP = "7";
export const OWNER = "700";
export const MEMBER_ROLE = "7001";
export const OFFICER_ROLE = "7050";
export const PLAYER = "156";

/** Every scope Warden uses, for universe 1 and group 7, owned by user 700 (who owns the group). */
export const FULL_KEY = "full-key-Zx81vQ2mP0aa";
/** Can read bans in universe 1 but not write them: the scope trap's victim. */
export const READ_KEY = "read-key-Hh27LkQ9wWbb";
/** A valid key with no scope at all. */
export const BARE_KEY = "bare-key-Pp03TtR5nNcc";

export interface Harness {
  oc: OpenCloudEmulator;
  client: OpenCloud;
  close(): Promise<void>;
}

/**
 * A seeded emulator and a client pointed at it, both on one time scale so the
 * client plans with the same (shortened) windows the emulator enforces.
 */
export async function startHarness(
  options: { emulator?: OpenCloudEmulatorOptions; client?: Partial<OpenCloudOptions> } = {},
): Promise<Harness> {
  const timeScale = options.emulator?.timeScale ?? 60;
  const oc = await startOpenCloudEmulator({ seed: 7, ...options.emulator, timeScale });
  oc.addUniverse({ id: UNIVERSE, displayName: "Warden Test Place", placeIds: [PLACE, OTHER_PLACE], ownerUserId: OWNER });
  oc.addUser({ id: OWNER, name: "GroupOwner" });
  oc.addUser({
    id: PLAYER,
    name: "Builderman",
    displayName: "Builder",
    createTime: "2006-02-27T21:06:40Z",
    premium: true,
    idVerified: true,
    previousNames: ["OldBuilder"],
    socialNetworkProfiles: { twitch: "builderman", visibility: "EVERYONE" },
  });
  oc.addGroup({
    id: GROUP,
    displayName: "Warden Testers",
    ownerId: OWNER,
    roles: [
      { id: "7000", displayName: "Guest", rank: 0 },
      { id: MEMBER_ROLE, displayName: "Member", rank: 1 },
      { id: OFFICER_ROLE, displayName: "Officer", rank: 50 },
      { id: "7255", displayName: "Owner", rank: 255 },
    ],
  });
  oc.addMembership({ groupId: GROUP, userId: OWNER, roleId: "7255" });
  oc.addApiKey({
    key: FULL_KEY,
    ownerId: OWNER,
    scopes: [
      { name: "universe.user-restriction", operations: ["read", "write"], universeIds: [UNIVERSE] },
      { name: "group", operations: ["read", "write"], groupIds: [GROUP] },
      { name: "user.advanced", operations: ["read"], userIds: ["*"] },
      { name: "user.social", operations: ["read"], userIds: ["*"] },
    ],
  });
  oc.addApiKey({
    key: READ_KEY,
    ownerId: "701",
    scopes: [{ name: "universe.user-restriction", operations: ["read"], universeIds: [UNIVERSE] }],
  });
  oc.addApiKey({ key: BARE_KEY, ownerId: "702", scopes: [] });
  const client = createOpenCloud({
    openCloudUrl: oc.openCloudUrl,
    usersUrl: oc.usersUrl,
    thumbnailsUrl: oc.thumbnailsUrl,
    timeScale,
    backoffBaseMs: 2,
    ...options.client,
  });
  return {
    oc,
    client,
    close: async () => {
      await client.close();
      await oc.close();
    },
  };
}

/** Seeds players 2000, 2001, ... and returns their ids. */
export function addPlayers(oc: OpenCloudEmulator, count: number, first = 2_000): string[] {
  return Array.from({ length: count }, (_, i) => {
    const id = String(first + i);
    oc.addUser({ id, name: `Player${id}` });
    return id;
  });
}

/** Collects a promise's rejection, failing the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}
