import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import {
  InvalidArgumentError,
  NotFoundError,
  OpenCloudError,
  PermissionDeniedError,
  RateLimitedError,
  UnauthenticatedError,
  UnavailableError,
  userMessage,
} from "../../src/opencloud/index.js";
import { BARE_KEY, FULL_KEY, GROUP, type Harness, PLAYER, READ_KEY, UNIVERSE, addPlayers, rejectionOf, startHarness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  h = await startHarness(options);
  return h;
}

const KEYS = [FULL_KEY, READ_KEY, BARE_KEY, "unknown-key-Qq11", "revoked-key-Rr22", "off-key-Ss33", "old-key-Tt44"];

/** No view of an error may contain any key. */
function expectNoKey(error: unknown): void {
  const views = [String(error), JSON.stringify(error), inspect(error, { showHidden: true, depth: 20 })];
  if (error instanceof Error) views.push(error.message, String(error.cause), error.stack ?? "");
  for (const view of views) for (const key of KEYS) expect(view).not.toContain(key);
}

describe("4xx: mapped once, never retried", () => {
  it("401 for an unknown, revoked, disabled or expired key", async () => {
    const { oc, client } = await harness({ client: { maxRetries: 3 } });
    oc.addApiKey({ key: "revoked-key-Rr22", ownerId: "1", scopes: [] });
    oc.revokeApiKey("revoked-key-Rr22");
    oc.addApiKey({ key: "off-key-Ss33", ownerId: "1", scopes: [], enabled: false });
    oc.addApiKey({ key: "old-key-Tt44", ownerId: "1", scopes: [], expired: true });
    for (const key of ["unknown-key-Qq11", "revoked-key-Rr22", "off-key-Ss33", "old-key-Tt44"]) {
      const error = await rejectionOf(client.withKey(key).userRestrictions.get({ universeId: UNIVERSE, userId: PLAYER }));
      expect(error).toBeInstanceOf(UnauthenticatedError);
      expect(error).toMatchObject({ status: 401, robloxMessage: "Invalid API Key", operation: "userRestrictions.get" });
      expect(userMessage(error)).toMatch(/expired/);
      expectNoKey(error);
    }
    expect(oc.calls).toHaveLength(4);
  });

  it("401 without a call for a key that cannot be sent in a header", async () => {
    const { oc, client } = await harness();
    const error = await rejectionOf(client.withKey("pasted\nkey").users.get(PLAYER));
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect(oc.calls).toHaveLength(0);
  });

  it("403 naming the scope a key lacks", async () => {
    const { oc, client } = await harness({ client: { maxRetries: 3 } });
    const error = await rejectionOf(client.withKey(BARE_KEY).groups.joinRequests(GROUP).page());
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error).toMatchObject({ status: 403, robloxCode: "PERMISSION_DENIED", requiredScope: "group:read" });
    expect(userMessage(error)).toContain("`group:read`");
    expect(oc.calls).toHaveLength(1);
    expectNoKey(error);
  });

  it("404 for an unknown universe or player", async () => {
    const { oc, client } = await harness({ client: { maxRetries: 3 } });
    const bans = client.withKey(FULL_KEY).userRestrictions;
    oc.addUniverse({ id: "99", placeIds: ["990"] });
    for (const target of [{ universeId: UNIVERSE, userId: "424242" }, { universeId: UNIVERSE, placeId: "77", userId: PLAYER }]) {
      const error = await rejectionOf(bans.get(target));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(userMessage(error)).toMatch(/Check the ids/);
    }
    expect(oc.calls).toHaveLength(2);
  });

  it("400 with Roblox's explanation for the moderator", async () => {
    const { oc, client } = await harness({ client: { maxRetries: 3 } });
    const error = await rejectionOf(
      client.withKey(FULL_KEY).userRestrictions.ban({ universeId: UNIVERSE, userId: PLAYER, privateReason: "x", displayReason: "y".repeat(401) }),
    );
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(userMessage(error)).toContain("displayReason is longer than 400 characters");
    expect(oc.calls).toHaveLength(1);
  });
});

describe("5xx, resets and timeouts: retried with backoff, then Unavailable", () => {
  it("gives up after maxRetries on a server that keeps failing, HTML proxy pages included", async () => {
    const { oc, client } = await harness({ client: { maxRetries: 5 } });
    oc.setFaults({ errorRate: 1 });
    const error = await rejectionOf(client.withKey(FULL_KEY).users.get(PLAYER));
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ reason: "server" });
    expect(oc.calls).toHaveLength(6);
    expect(new Set(oc.calls.map((call) => call.status))).toEqual(new Set([500, 503]));
    expectNoKey(error);
  });

  it("retries connection resets", async () => {
    const { oc, client } = await harness({ client: { maxRetries: 2 } });
    oc.setFaults({ resetRate: 1 });
    const error = await rejectionOf(client.withKey(FULL_KEY).groups.get(GROUP));
    expect(error).toMatchObject({ reason: "network" });
    expect(error).toBeInstanceOf(UnavailableError);
    expect(oc.calls.map((call) => call.fault)).toEqual(["reset", "reset", "reset"]);
    expectNoKey(error);
  });

  it("times out a server that does not answer, and retries", async () => {
    const { oc, client } = await harness({ client: { maxRetries: 1, timeoutMs: 50 } });
    oc.setFaults({ delayMs: 400 });
    const error = await rejectionOf(client.withKey(FULL_KEY).users.get(PLAYER));
    expect(error).toMatchObject({ reason: "timeout" });
    expect(userMessage(error)).toMatch(/didn't answer in time/);
    oc.setFaults({ delayMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(oc.calls).toHaveLength(2);
  });

  it("tells its observer of every request on the wire and every retry, with what came back", async () => {
    const attempts: string[] = [];
    const retries: string[] = [];
    const { oc, client } = await harness({
      client: {
        maxRetries: 2,
        timeoutMs: 50,
        observer: {
          attempted: ({ operation, outcome, seconds }) => {
            expect(seconds).toBeGreaterThanOrEqual(0);
            attempts.push(`${operation} ${outcome}`);
          },
          retrying: ({ operation, outcome }) => retries.push(`${operation} ${outcome}`),
        },
      },
    });
    await client.withKey(FULL_KEY).users.get(PLAYER);
    oc.setFaults({ resetRate: 1 });
    await rejectionOf(client.withKey(FULL_KEY).users.get(PLAYER));
    oc.setFaults({ resetRate: 0, delayMs: 400 });
    await rejectionOf(client.withKey(FULL_KEY).groups.get(GROUP));
    expect(attempts).toEqual([
      "users.get 200",
      ...Array<string>(3).fill("users.get network"),
      ...Array<string>(3).fill("groups.get timeout"),
    ]);
    expect(retries).toEqual([...Array<string>(2).fill("users.get network"), ...Array<string>(2).fill("groups.get timeout")]);
    oc.setFaults({ delayMs: 0 });
  });

  it("gets through intermittent faults", async () => {
    const { oc, client } = await harness({ client: { maxRetries: 10 } });
    oc.setFaults({ errorRate: 0.4, resetRate: 0.2 });
    const keyed = client.withKey(FULL_KEY);
    for (let i = 0; i < 10; i++) expect((await keyed.users.get(PLAYER)).name).toBe("Builderman");
    expect(oc.calls.some((call) => call.fault !== undefined)).toBe(true);
  });

  it("resends a PATCH with the same idempotency key on every retry, and Roblox applies it once", async () => {
    // Retries spend the player's 2/min update budget too; a faster clock keeps the test short.
    const { oc, client } = await harness({ emulator: { timeScale: 600 }, client: { maxRetries: 10 } });
    const players = addPlayers(oc, 12);
    oc.setFaults({ applyThenFailRate: 0.4, resetRate: 0.2, errorRate: 0.2 });
    const bans = client.withKey(FULL_KEY).userRestrictions;
    for (const userId of players) await bans.ban({ universeId: UNIVERSE, userId, privateReason: `ban ${userId}` });

    const patchesByPath = new Map<string, typeof oc.calls>();
    for (const call of oc.calls.filter((c) => c.method === "PATCH")) {
      patchesByPath.set(call.path, [...(patchesByPath.get(call.path) ?? []), call]);
    }
    expect(patchesByPath.size).toBe(players.length);
    for (const attempts of patchesByPath.values()) {
      expect(new Set(attempts.map((call) => `${call.query["idempotencyKey.key"]}|${call.query["idempotencyKey.firstSent"]}`)).size).toBe(1);
    }
    expect([...patchesByPath.values()].some((attempts) => attempts.some((call) => call.fault === "applyThenFail") && attempts.length > 1)).toBe(true);
    const logged = oc.logs(UNIVERSE).map((log) => log.user);
    expect(logged).toHaveLength(players.length);
    expect(new Set(logged).size).toBe(players.length);
  });
});

describe("429: waited out from the headers", () => {
  /** Two keys of one owner share Roblox's budget; told nothing of that, the client plans each alone. */
  async function twoKeysOfOneOwner(maxRetries: number, shareBudget: boolean) {
    const { oc, client } = await harness({ client: { maxRetries } });
    const scopes = [{ name: "group", operations: ["read"], groupIds: [GROUP] }];
    oc.addApiKey({ key: "twin-a-Uu55", ownerId: "800", scopes });
    oc.addApiKey({ key: "twin-b-Vv66", ownerId: "800", scopes });
    const owner = shareBudget ? { ownerId: "800" } : {};
    const a = client.withKey("twin-a-Uu55", owner).groups;
    const b = client.withKey("twin-b-Vv66", owner).groups;
    // groups.get: 150 per minute per owner, a second at time scale 60.
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => [a.get(GROUP), b.get(GROUP)]).flat());
    return { oc, results };
  }

  it("honours retry-after when a budget turns out to be shared, surfacing nothing", async () => {
    const { oc, results } = await twoKeysOfOneOwner(8, false);
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const limited = oc.calls.filter((call) => call.status === 429);
    expect(limited.length).toBeGreaterThan(0);
  });

  it("plans one budget for keys of one owner when told the owner: no 429 at all", async () => {
    const { oc, results } = await twoKeysOfOneOwner(0, true);
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(oc.calls.filter((call) => call.status === 429)).toEqual([]);
  });

  it("surfaces RateLimited with the wait once retries are spent", async () => {
    const { results } = await twoKeysOfOneOwner(0, false);
    const errors = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error).toBeInstanceOf(RateLimitedError);
      expect((error as RateLimitedError).retryAfterMs).toBeGreaterThan(0);
      expect(userMessage(error)).toMatch(/rate-limiting/);
      expectNoKey(error);
    }
  });
});

describe("logging", () => {
  it("logs retries and calls without any key", async () => {
    const entries: unknown[] = [];
    const logger = { debug: (context: object, message?: string) => entries.push([context, message]), warn: (context: object, message?: string) => entries.push([context, message]) };
    const { oc, client } = await harness({ client: { maxRetries: 10, logger } });
    oc.setFaults({ errorRate: 0.5 });
    await client.withKey(FULL_KEY).userRestrictions.ban({ universeId: UNIVERSE, userId: PLAYER, privateReason: "x" });
    await client.apiKeys.introspect(READ_KEY);
    await rejectionOf(client.withKey("unknown-key-Qq11").users.get(PLAYER));
    expect(entries.length).toBeGreaterThan(3);
    const text = JSON.stringify(entries);
    for (const key of KEYS) expect(text).not.toContain(key);
    expect(text).toContain("retrying Open Cloud call");
  });

  it("never shows the key when a keyed resource is printed", async () => {
    const { client } = await harness();
    const keyed = client.withKey(FULL_KEY);
    expect(inspect(keyed, { depth: 20, showHidden: true })).not.toContain(FULL_KEY);
    expect(JSON.stringify(keyed.userRestrictions)).not.toContain(FULL_KEY);
  });
});

describe("closing", () => {
  it("fails calls made after close as Unavailable", async () => {
    const { client } = await harness();
    await client.close();
    const error = await rejectionOf(client.withKey(FULL_KEY).users.get(PLAYER));
    expect(error).toBeInstanceOf(OpenCloudError);
    expect(error).toMatchObject({ reason: "closed" });
  });
});
