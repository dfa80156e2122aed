import { afterEach, describe, expect, it } from "vitest";
import { watchingReads, watchRead } from "../../src/jobs/joinRequestReads.js";
import { FULL_KEY, GROUP, startHarness, type Harness } from "../opencloud/harness.js";

describe("a join-request read watched for throttling", () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it("learns that Roblox failed one of its calls even when the client's retry got through, and a later read starts calm", async () => {
    harness = await startHarness({ client: { observer: watchingReads(undefined), backoffBaseMs: 1, backoffMaxMs: 2 } });
    const groups = harness.client.withKey(FULL_KEY).groups;
    const read = () => watchRead(() => groups.joinRequests(GROUP).page());

    expect((await read()).throttled).toBe(false);
    harness.oc.setFaults({ errorRate: 0.5 });
    const reads = [];
    for (let index = 0; index < 10; index += 1) reads.push(await read());
    const failedOnTheWire = harness.oc.calls.filter((call) => call.status >= 500).length;
    expect(failedOnTheWire).toBeGreaterThan(0);
    // Every read answered: the retries got through, and the reads that needed one know it.
    expect(reads.filter((watched) => watched.throttled).length).toBeGreaterThan(0);
    expect(reads.every((watched) => Array.isArray(watched.result.items))).toBe(true);
    harness.oc.setFaults({ errorRate: 0 });
    expect((await read()).throttled).toBe(false);
  });
});
