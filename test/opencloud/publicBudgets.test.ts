import { afterEach, describe, expect, it } from "vitest";
import { Caller } from "../../src/opencloud/call.js";
import { findByName } from "../../src/services/moderation/resolvePlayer.js";
import { Thumbnails } from "../../src/opencloud/thumbnails.js";
import { Usernames } from "../../src/opencloud/usernames.js";
import { type OpenCloudEmulator, startOpenCloudEmulator } from "../emulators/opencloud/index.js";
import { FakeClock, settle } from "./fakeClock.js";

/**
 * The public hosts document no budget; the client still plans one (60
 * username lookups and 300 headshot lookups a minute, for the whole process)
 * so that a busy process never learns their limit from 429s. The budget runs
 * on a fake clock, so "a minute later" is exact and no test waits for it.
 */
describe("budgets of the public users and thumbnails hosts", () => {
  let oc: OpenCloudEmulator | undefined;
  let caller: Caller | undefined;
  afterEach(async () => {
    await caller?.close();
    await oc?.close();
  });

  async function start() {
    oc = await startOpenCloudEmulator({ seed: 1 });
    oc.addUser({ id: "156", name: "Builderman" });
    const clock = new FakeClock();
    caller = new Caller({
      baseUrls: { openCloud: oc.openCloudUrl, users: oc.usersUrl, thumbnails: oc.thumbnailsUrl },
      timeoutMs: 5_000,
      retry: { maxRetries: 0, backoffBaseMs: 1, backoffMaxMs: 1, maxRetryAfterMs: 1, random: Math.random },
      timeScale: 1,
      playerLimitMaxWaitMs: 0,
      connectionsPerOrigin: 8,
      clock,
      logger: undefined,
      observer: undefined,
      sharedLedger: undefined,
    });
    return { oc, clock, usernames: new Usernames(caller), thumbnails: new Thumbnails(caller) };
  }

  /** Starts `count` calls and waits (by the calls' own completion, not by time) until `sent` are answered. */
  async function burst(count: number, sent: number, call: () => Promise<unknown>, answered: () => number) {
    const done: boolean[] = [];
    // Calls still queued when the test ends are failed by close(): expected, not a finding.
    for (let i = 0; i < count; i++) void call().then(() => done.push(true), () => undefined);
    while (done.length < sent) await settle();
    await settle();
    expect(answered()).toBe(sent);
    return done;
  }

  it("sends 60 username lookups a minute and holds the 61st until a minute after the first answers", async () => {
    const { oc, clock, usernames } = await start();
    const posts = () => oc.calls.filter((call) => call.path === "/v1/usernames/users").length;
    const done = await burst(61, 60, () => usernames.resolve(["Builderman"]), posts);
    expect(done).toHaveLength(60);
    await clock.advance(59_999);
    expect(posts()).toBe(60);
    await clock.advance(1);
    while (done.length < 61) await settle();
    expect(posts()).toBe(61);
  });

  it("lets every tenant take its turn in the host's one budget", async () => {
    const { oc, clock, usernames } = await start();
    const posts = () => oc.calls.filter((call) => call.path === "/v1/usernames/users").length;
    const busy = await burst(200, 60, () => usernames.resolve(["Builderman"], { tenant: "busy" }), posts);
    let quietServed = false;
    void usernames.resolve(["Builderman"], { tenant: "quiet" }).then(() => (quietServed = true), () => undefined);
    await clock.advance(60_000);
    while (busy.length + (quietServed ? 1 : 0) < 120) await settle();
    // The second minute's sixty: the quiet tenant's one lookup is among them, not behind 140 others.
    expect(quietServed).toBe(true);
    expect(posts()).toBe(120);
  });

  it("gives a moderator's player lookup its guild's turn, not a place behind lookups made for no guild", async () => {
    const { oc, clock, usernames } = await start();
    const posts = () => oc.calls.filter((call) => call.path === "/v1/usernames/users").length;
    const busy = await burst(200, 60, () => findByName({ usernames }, "Builderman"), posts);
    let quietServed = false;
    void findByName({ usernames }, "Builderman", "123456789012345678").then(() => (quietServed = true), () => undefined);
    await clock.advance(60_000);
    while (busy.length + (quietServed ? 1 : 0) < 120) await settle();
    expect(quietServed).toBe(true);
  });

  it("sends 300 headshot lookups a minute and holds the next", async () => {
    const { oc, clock, thumbnails } = await start();
    const gets = () => oc.calls.filter((call) => call.path === "/v1/users/avatar-headshot").length;
    const done = await burst(301, 300, () => thumbnails.headshots(["156"]), gets);
    expect(done).toHaveLength(300);
    await clock.advance(60_000);
    while (done.length < 301) await settle();
    expect(gets()).toBe(301);
  });
});
