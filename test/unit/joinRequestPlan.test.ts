import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_GROUP_DELAY_MS, ReadPlan, type LinkedGroup, type PlanOptions, type PlannedGroup } from "../../src/jobs/joinRequestPlan.js";
import { OPERATIONS } from "../../src/opencloud/operations.js";

/** Roblox's documented list budget (300 a minute per owner), half of it for reads, as the bot plans it. */
const OPTIONS: PlanOptions = { budget: OPERATIONS["groups.listJoinRequests"].perKey, share: 0.5, minIntervalMs: 2_000, readsAtOnce: 4 };

const groupsOf = (budgetId: string, count: number, mine = true): LinkedGroup[] =>
  Array.from({ length: count }, (_, index) => ({ guildId: `${budgetId}-guild`, groupId: String(index + 1), budgetId, mine }));

const intervalOf = (plan: ReadPlan, budgetId: string) => plan.intervals().find((owner) => owner.budgetId === budgetId)?.intervalMs;

/** Starts every read that is due at `now` and ends each at once with `outcome(group)`; returns what was read. */
function readDue(plan: ReadPlan, now: number, outcome: (group: PlannedGroup) => Parameters<ReadPlan["finished"]>[1] = () => ({ pages: 1, throttled: false })) {
  const started: PlannedGroup[] = [];
  for (let step = plan.next(now); "read" in step; step = plan.next(now)) started.push(step.read);
  for (const group of started) plan.finished(group, outcome(group), now);
  return started;
}

/** Runs the plan for `ms` in steps of `stepMs`, each read ending at once; returns the start times of each group's reads. */
function simulate(plan: ReadPlan, ms: number, options: { from?: number; stepMs?: number; outcome?: Parameters<typeof readDue>[2] } = {}) {
  const starts = new Map<string, number[]>();
  const from = options.from ?? 0;
  for (let now = from; now < from + ms; now += options.stepMs ?? 10) {
    for (const group of readDue(plan, now, options.outcome)) {
      const key = `${group.budgetId}/${group.groupId}`;
      starts.set(key, [...(starts.get(key) ?? []), now]);
    }
  }
  return starts;
}

const gaps = (times: readonly number[]) => times.slice(1).map((time, index) => time - (times[index] ?? 0));

describe("the join-request read plan", () => {
  it("reads one group every 2 s, twenty of one owner every 8 s and a hundred every 40 s", () => {
    for (const [count, interval] of [
      [1, 2_000],
      [20, 8_000],
      [100, 40_000],
    ] as const) {
      const plan = new ReadPlan(OPTIONS);
      plan.setLinks(groupsOf("owner:1", count), 0);
      expect(intervalOf(plan, "owner:1"), `${count} groups`).toBe(interval);
      const starts = simulate(plan, 3 * interval + 1);
      expect(starts.size).toBe(count);
      for (const times of starts.values()) for (const gap of gaps(times)) expect(Math.abs(gap - interval)).toBeLessThanOrEqual(10);
    }
  });

  it("counts every page: a group with 200 pending requests costs ten calls a read, and is read every 4 s", () => {
    const plan = new ReadPlan(OPTIONS);
    plan.setLinks(groupsOf("owner:1", 1), 0);
    const starts = simulate(plan, 20_001, { outcome: () => ({ pages: 10, throttled: false }) });
    expect(intervalOf(plan, "owner:1")).toBe(4_000);
    expect(gaps(starts.get("owner:1/1") ?? []).slice(1)).toEqual([4_000, 4_000, 4_000, 4_000]);
  });

  it("slows an owner down after a 429, leaves other owners alone, and speeds it up again once calm", () => {
    const plan = new ReadPlan(OPTIONS);
    plan.setLinks([...groupsOf("owner:a", 20), ...groupsOf("owner:b", 20)], 0);
    simulate(plan, 10_000);
    let throttled = false;
    simulate(plan, 1, {
      from: 10_000,
      outcome: (group) => {
        if (group.budgetId !== "owner:a" || throttled) return { pages: 1, throttled: false };
        throttled = true;
        return { failed: "throttled" };
      },
    });
    expect(throttled).toBe(true);
    expect(intervalOf(plan, "owner:a")).toBe(16_000);
    expect(intervalOf(plan, "owner:b")).toBe(8_000);
    const after = simulate(plan, 16_000, { from: 10_010 });
    const readsOf = (budgetId: string) => [...after].filter(([key]) => key.startsWith(budgetId)).flatMap(([, times]) => times).length;
    expect(readsOf("owner:a")).toBe(20);
    expect(readsOf("owner:b")).toBe(40);
    simulate(plan, 60_000, { from: 26_010 });
    expect(intervalOf(plan, "owner:a")).toBe(8_000);
  });

  it("backs off a 5xx the same way, doubling again on each, within a bound", () => {
    const plan = new ReadPlan(OPTIONS);
    plan.setLinks(groupsOf("owner:a", 1), 0);
    simulate(plan, 60_000, { outcome: () => ({ failed: "throttled" }) });
    expect(intervalOf(plan, "owner:a")).toBe(2_000 * 16);
  });

  it("backs off after a read whose 429 the client's retry got through, and still learns its pages", () => {
    const plan = new ReadPlan(OPTIONS);
    plan.setLinks([...groupsOf("owner:a", 1), ...groupsOf("owner:b", 1)], 0);
    readDue(plan, 0, (group) => ({ pages: 10, throttled: group.budgetId === "owner:a" }));
    expect(plan.intervals()).toEqual([
      { budgetId: "owner:a", groups: 1, intervalMs: 8_000, backoffLevel: 1 },
      { budgetId: "owner:b", groups: 1, intervalMs: 4_000, backoffLevel: 0 },
    ]);
  });

  it("delays a group that fails on its own, never its owner's other groups", () => {
    const plan = new ReadPlan(OPTIONS);
    plan.setLinks(groupsOf("owner:a", 2), 0);
    const starts = simulate(plan, 10 * 60_000, { outcome: (group) => (group.groupId === "1" ? { failed: "group" } : { pages: 1, throttled: false }) });
    expect(gaps(starts.get("owner:a/2") ?? []).every((gap) => gap <= 2_000)).toBe(true);
    const failing = gaps(starts.get("owner:a/1") ?? []);
    expect(failing.at(-1)).toBeGreaterThanOrEqual(MAX_GROUP_DELAY_MS);
    expect(failing.at(-1)).toBeLessThan(MAX_GROUP_DELAY_MS + 2_000);
  });

  it("follows links added and removed: a new group is read next, a removed one never again", () => {
    const plan = new ReadPlan(OPTIONS);
    plan.setLinks(groupsOf("owner:a", 20), 0);
    simulate(plan, 4_000);
    const added: LinkedGroup = { guildId: "g", groupId: "99", budgetId: "owner:a", mine: true };
    plan.setLinks([...groupsOf("owner:a", 20).slice(1), added], 4_000);
    const starts = simulate(plan, 30_000, { from: 4_000 });
    expect(starts.get("owner:a/99")?.[0]).toBeLessThan(4_000 + 8_000 / 20 + 10);
    expect(starts.has("owner:a/1")).toBe(false);
    plan.setLinks([], 34_000);
    expect(plan.intervals()).toEqual([]);
    expect(plan.next(34_000)).toEqual({ waitMs: Infinity });
  });

  it("counts an owner's groups that other processes read, so that together they keep to the share", () => {
    const plan = new ReadPlan(OPTIONS);
    plan.setLinks([...groupsOf("owner:a", 10), ...groupsOf("owner:a", 10, false).map((group) => ({ ...group, guildId: "elsewhere" }))], 0);
    expect(plan.intervals()).toEqual([{ budgetId: "owner:a", groups: 10, intervalMs: 8_000, backoffLevel: 0 }]);
  });

  it("never plans more than its share of an owner's budget in any window, whatever the groups and their pages", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 120 }), (pagesByGroup) => {
        const plan = new ReadPlan(OPTIONS);
        plan.setLinks(groupsOf("owner:a", pagesByGroup.length), 0);
        const calls: { at: number; pages: number }[] = [];
        const pagesOf = (group: PlannedGroup) => pagesByGroup[Number(group.groupId) - 1] ?? 1;
        for (let now = 0; now < 180_000; now += 50) {
          for (const group of readDue(plan, now, (read) => ({ pages: pagesOf(read), throttled: false }))) calls.push({ at: now, pages: pagesOf(group) });
        }
        const { limit, windowMs } = OPTIONS.budget;
        // Once every group's pages are known (after the first round), no window holds more than the share.
        const settled = calls.filter((call) => call.at >= 60_000);
        for (const call of settled) {
          const inWindow = settled.filter((other) => other.at >= call.at && other.at < call.at + windowMs).reduce((sum, other) => sum + other.pages, 0);
          expect(inWindow).toBeLessThanOrEqual(limit * OPTIONS.share + Math.max(...pagesByGroup));
        }
      }),
      { numRuns: 30 },
    );
  });
});
