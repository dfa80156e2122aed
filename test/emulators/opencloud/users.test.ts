import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OpenCloudEmulator } from "./index.js";
import { BARE_KEY, FULL_KEY, OTHER_PLAYER, PLAYER, ROOT_PLACE, SIDE_PLACE, UNIVERSE, call, startWorld } from "./fixtures.js";

describe("users and universes", () => {
  let emulator: OpenCloudEmulator;
  beforeEach(async () => {
    emulator = await startWorld();
    emulator.addUser({
      id: "42",
      name: "Verified",
      displayName: "Verified Person",
      about: "hi",
      premium: true,
      idVerified: true,
      previousNames: ["OldName"],
      socialNetworkProfiles: { twitter: "verified", visibility: "EVERYONE" },
      createTime: "2012-03-04T05:06:07Z",
    });
  });
  afterEach(() => emulator.close());

  const get = (path: string, key = FULL_KEY, query?: Record<string, string>) => call(emulator.openCloudUrl, "GET", path, { key, query });

  it("gets a user, private fields only with their scopes", async () => {
    const full = await get("/cloud/v2/users/42");
    expect(full.body).toEqual({
      path: "users/42",
      createTime: "2012-03-04T05:06:07Z",
      id: "42",
      name: "Verified",
      displayName: "Verified Person",
      about: "hi",
      locale: "en-US",
      premium: true,
      idVerified: true,
      socialNetworkProfiles: { twitter: "verified", visibility: "EVERYONE" },
    });
    const bare = await get("/cloud/v2/users/42", BARE_KEY);
    expect(bare.json).toMatchObject({ idVerified: false, socialNetworkProfiles: {} });
    expect((await get("/cloud/v2/users/999999")).status).toBe(404);
  });

  it("generates a thumbnail as an operation that is done after a couple of polls", async () => {
    const started = await get(`/cloud/v2/users/${PLAYER}:generateThumbnail`, FULL_KEY, { size: "150", format: "PNG", shape: "SQUARE" });
    expect(started.json).toMatchObject({ done: false });
    const path = started.json.path as string;
    expect(path).toMatch(new RegExp(`^users/${PLAYER}/operations/[\\w-]+$`));
    const polls: Record<string, unknown>[] = [];
    for (let poll = 0; poll < 5; poll += 1) {
      const answer = await get(`/cloud/v2/${path}`);
      polls.push(answer.json);
      if (answer.json.done === true) break;
    }
    expect(polls.map((poll) => poll.done)).toEqual([false, true]);
    expect((polls[1]?.response as { imageUri: string }).imageUri).toMatch(/^https:\/\//);
    expect((await get(`/cloud/v2/users/${OTHER_PLAYER}/operations/${path.split("/").pop() ?? ""}`)).status).toBe(404);
  });

  it("refuses thumbnail options outside the enums", async () => {
    const queries: Record<string, string>[] = [{ size: "151" }, { format: "GIF" }, { shape: "HEART" }, { sizes: "150" }];
    for (const query of queries) {
      expect((await get(`/cloud/v2/users/${PLAYER}:generateThumbnail`, FULL_KEY, query)).status).toBe(400);
    }
    expect((await call(emulator.openCloudUrl, "POST", `/cloud/v2/users/${PLAYER}:generateThumbnail`, { key: FULL_KEY })).status).toBe(404);
  });

  it("gets universes and places, 404 for a place of another universe", async () => {
    expect((await get(`/cloud/v2/universes/${UNIVERSE}`)).json).toMatchObject({
      path: `universes/${UNIVERSE}`,
      displayName: "Warden Test Place",
      user: "users/1001",
      rootPlace: `universes/${UNIVERSE}/places/${ROOT_PLACE}`,
    });
    expect((await get(`/cloud/v2/universes/${UNIVERSE}/places/${SIDE_PLACE}`)).json).toMatchObject({
      path: `universes/${UNIVERSE}/places/${SIDE_PLACE}`,
      root: false,
    });
    expect((await get(`/cloud/v2/universes/${UNIVERSE}/places/90`)).status).toBe(404);
    expect((await get(`/cloud/v2/universes/424242`)).status).toBe(404);
  });
});

describe("legacy hosts", () => {
  let emulator: OpenCloudEmulator;
  beforeEach(async () => {
    emulator = await startWorld();
    emulator.addUser({ id: "42", name: "Renamed", previousNames: ["OldName"], hasVerifiedBadge: true });
    emulator.addUser({ id: "43", name: "Terminated", terminated: true, headshotState: "Blocked" });
  });
  afterEach(() => emulator.close());

  const usernames = (body: unknown) => call(emulator.usersUrl, "POST", "/v1/usernames/users", { body });
  const headshots = (query: Record<string, string>) => call(emulator.thumbnailsUrl, "GET", "/v1/users/avatar-headshot", { query });

  it("resolves usernames, case-insensitively and through previous names; unknown names are absent", async () => {
    const answer = await usernames({ usernames: ["builderman", "OLDNAME", "nobody", "Terminated"], excludeBannedUsers: true });
    expect(answer.body).toEqual({
      data: [
        { requestedUsername: "builderman", hasVerifiedBadge: false, id: Number(PLAYER), name: "Builderman", displayName: "Builderman" },
        { requestedUsername: "OLDNAME", hasVerifiedBadge: true, id: 42, name: "Renamed", displayName: "Renamed" },
      ],
    });
    expect(((await usernames({ usernames: ["Terminated"] })).json.data as unknown[]).length).toBe(1);
  });

  it("answers the legacy error shape", async () => {
    const tooMany = await usernames({ usernames: Array.from({ length: 101 }, (_, index) => `u${index}`) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toEqual({ errors: [{ code: 2, message: "Too many usernames." }] });
    expect((await usernames({ names: ["x"] })).status).toBe(400);
  });

  it("gives headshots, and refuses ids, sizes and formats outside the enums", async () => {
    const answer = await headshots({ userIds: `${PLAYER},43,999999`, size: "150x150", format: "Png", isCircular: "false" });
    expect(answer.json.data).toEqual([
      { targetId: Number(PLAYER), state: "Completed", imageUrl: expect.stringMatching(/^https:\/\//), version: "TN3" },
      { targetId: 43, state: "Blocked", imageUrl: null, version: "TN3" },
      { targetId: 999999, state: "Error", imageUrl: null, version: "" },
    ]);
    const codes = async (query: Record<string, string>) => ((await headshots(query)).json.errors as { code: number }[])[0]?.code;
    expect(await codes({ userIds: "abc" })).toBe(4);
    expect(await codes({ size: "150x150" })).toBe(4);
    expect(await codes({ userIds: PLAYER, size: "151x151" })).toBe(3);
    expect(await codes({ userIds: PLAYER, format: "Gif" })).toBe(2);
    expect(await codes({ userIds: Array.from({ length: 101 }, (_, index) => String(index + 1)).join(",") })).toBe(1);
  });

  it("fails a client that uses the wrong host for a call", async () => {
    const onCloud = await call(emulator.openCloudUrl, "POST", "/v1/usernames/users", { key: FULL_KEY, body: { usernames: ["builderman"] } });
    expect(onCloud.status).toBe(404);
    expect((await call(emulator.thumbnailsUrl, "POST", "/v1/usernames/users", { body: { usernames: ["builderman"] } })).status).toBe(404);
    expect((await call(emulator.usersUrl, "GET", "/v1/users/avatar-headshot", { query: { userIds: PLAYER } })).status).toBe(404);
    expect((await call(emulator.usersUrl, "GET", `/cloud/v2/users/${PLAYER}`, { key: FULL_KEY })).status).toBe(404);
  });
});
