import { afterEach, describe, expect, it } from "vitest";
import type { OpenCloudEmulator } from "./index.js";
import { FULL_KEY, MASK, PLAYER, UNIVERSE, banBody, call, restrictionPath, startWorld } from "./fixtures.js";

describe("fault injection", () => {
  const started: OpenCloudEmulator[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((emulator) => emulator.close()));
  });

  async function start(seed: number): Promise<OpenCloudEmulator> {
    const emulator = await startWorld({ seed });
    started.push(emulator);
    return emulator;
  }

  async function statuses(emulator: OpenCloudEmulator, count: number): Promise<(number | "reset")[]> {
    const seen: (number | "reset")[] = [];
    for (let index = 0; index < count; index += 1) {
      try {
        seen.push((await call(emulator.openCloudUrl, "GET", `/cloud/v2/universes/${UNIVERSE}`, { key: FULL_KEY })).status);
      } catch {
        seen.push("reset");
      }
    }
    return seen;
  }

  it("answers roughly the configured share with 500 or 503", async () => {
    const emulator = await start(7);
    emulator.setFaults({ errorRate: 0.3 });
    const seen = await statuses(emulator, 400);
    const failed = seen.filter((status) => status === 500 || status === 503).length;
    expect(failed / seen.length).toBeGreaterThan(0.22);
    expect(failed / seen.length).toBeLessThan(0.38);
    expect(seen.filter((status) => status !== 200 && status !== 500 && status !== 503)).toEqual([]);
    expect(seen).toContain(500);
    expect(seen).toContain(503);
  });

  it("answers 500 in the v2 shape and 503 as a proxy would, not in JSON", async () => {
    const emulator = await start(7);
    emulator.setFaults({ errorRate: 1 });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => call(emulator.openCloudUrl, "GET", `/cloud/v2/universes/${UNIVERSE}`, { key: FULL_KEY })),
    );
    const internal = answers.find((answer) => answer.status === 500);
    const unavailable = answers.find((answer) => answer.status === 503);
    expect(internal?.json).toMatchObject({ code: "INTERNAL", details: [] });
    expect(typeof unavailable?.body).toBe("string");
    expect(unavailable?.headers.get("content-type")).toBe("text/html");
  });

  it("resets roughly the configured share of connections", async () => {
    const emulator = await start(11);
    emulator.setFaults({ resetRate: 0.2 });
    const seen = await statuses(emulator, 300);
    const resets = seen.filter((status) => status === "reset").length;
    expect(resets / seen.length).toBeGreaterThan(0.13);
    expect(resets / seen.length).toBeLessThan(0.27);
    expect(emulator.calls.filter((recorded) => recorded.fault === "reset")).toHaveLength(resets);
    expect(emulator.calls.filter((recorded) => recorded.fault === "reset").every((recorded) => recorded.status === 0)).toBe(true);
  });

  it("repeats the same faults for the same seed", async () => {
    const first = await start(42);
    const second = await start(42);
    const other = await start(43);
    for (const emulator of [first, second, other]) emulator.setFaults({ errorRate: 0.25, resetRate: 0.1 });
    const [a, b, c] = await Promise.all([statuses(first, 80), statuses(second, 80), statuses(other, 80)]);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("never applies a write that failed before handling", async () => {
    const emulator = await start(5);
    emulator.setFaults({ errorRate: 0.5, resetRate: 0.3 });
    const attempts = 100;
    let succeeded = 0;
    for (let index = 0; index < attempts; index += 1) {
      try {
        const answer = await call(emulator.openCloudUrl, "PATCH", restrictionPath(UNIVERSE, PLAYER), {
          key: FULL_KEY,
          query: MASK,
          body: banBody({ active: index % 2 === 0 }),
        });
        if (answer.status === 200) succeeded += 1;
      } catch {
        // A reset connection: the call must not have been applied.
      }
    }
    // (1 - 0.3) * (1 - 0.5) of them get through: an emulator failing every call (or none) fails here.
    expect(succeeded / attempts).toBeGreaterThan(0.2);
    expect(succeeded / attempts).toBeLessThan(0.5);
    expect(emulator.logs(UNIVERSE)).toHaveLength(succeeded);
  });

  it("can apply a write and then answer 500; a retry with the same idempotency key does not apply it again", async () => {
    const emulator = await start(3);
    emulator.setFaults({ applyThenFailRate: 1 });
    const query = { ...MASK, "idempotencyKey.key": "case-7", "idempotencyKey.firstSent": new Date().toISOString() };
    const failed = await call(emulator.openCloudUrl, "PATCH", restrictionPath(UNIVERSE, PLAYER), { key: FULL_KEY, query, body: banBody() });
    expect(failed.status).toBe(500);
    expect(failed.json.code).toBe("INTERNAL");
    expect(emulator.restriction(UNIVERSE, PLAYER)?.active).toBe(true);
    expect(emulator.calls.at(-1)?.fault).toBe("applyThenFail");
    emulator.setFaults({ applyThenFailRate: 0 });
    const retried = await call(emulator.openCloudUrl, "PATCH", restrictionPath(UNIVERSE, PLAYER), { key: FULL_KEY, query, body: banBody() });
    expect(retried.status).toBe(200);
    expect(retried.json.gameJoinRestriction).toMatchObject({ active: true });
    expect(emulator.logs(UNIVERSE)).toHaveLength(1);
  });

  it("only hits writes with applyThenFail", async () => {
    const emulator = await start(3);
    emulator.setFaults({ applyThenFailRate: 1 });
    expect((await call(emulator.openCloudUrl, "GET", restrictionPath(UNIVERSE, PLAYER), { key: FULL_KEY })).status).toBe(200);
  });

  it("delays answers without changing them, and refuses rates outside 0..1", async () => {
    const emulator = await start(3);
    emulator.setFaults({ delayMs: 20 });
    expect((await call(emulator.openCloudUrl, "GET", restrictionPath(UNIVERSE, PLAYER), { key: FULL_KEY })).status).toBe(200);
    expect(() => emulator.setFaults({ errorRate: 2 })).toThrow();
  });

  it("records every call with its status", async () => {
    const emulator = await start(3);
    await call(emulator.openCloudUrl, "PATCH", restrictionPath(UNIVERSE, PLAYER), { key: FULL_KEY, query: MASK, body: banBody() });
    expect(emulator.calls).toEqual([
      expect.objectContaining({
        host: "opencloud",
        method: "PATCH",
        path: restrictionPath(UNIVERSE, PLAYER),
        query: MASK,
        body: banBody(),
        status: 200,
        time: expect.stringMatching(/Z$/),
      }),
    ]);
    emulator.clearCalls();
    expect(emulator.calls).toEqual([]);
  });
});
