/**
 * When to read each linked group's join requests: as often as the key
 * owner's list budget allows, and no more. Pure: the clock is passed in, and
 * the loop that performs the reads (joinRequestReads.ts) only asks and tells.
 *
 * Every group of one owner is read once per cycle. A cycle costs the pages
 * its reads take (a group with 200 pending requests costs ten calls a read),
 * and the cycle is long enough for all of them to use `share` of the budget:
 * with half of 300 a minute, one call every 400 ms, so twenty one-page groups
 * are read every 8 s and a hundred every 40 s. No group is read more often
 * than `minIntervalMs`. Within a cycle an owner's reads are spread evenly,
 * each followed by a gap in proportion to its pages, so the calls never bunch.
 *
 * A read that Roblox throttled (429) or failed (5xx, timeout), even once and
 * retried with success, doubles its owner's cycle, up to MAX_BACKOFF_LEVEL times; each quiet cycle undoes one
 * doubling. Other owners are not touched. A read that failed for a reason of
 * its own group (a revoked key, no review channel) only delays that group.
 */

export interface ListBudget {
  limit: number;
  /** Already divided by the time scale the client plans in. */
  windowMs: number;
}

export interface PlanOptions {
  budget: ListBudget;
  /** The part of each owner's budget reads may use; the rest stays for commands and decisions. */
  share: number;
  /** No group is read more often than this. */
  minIntervalMs: number;
  /** How many reads of one owner may run at once: one slow read does not hold up the owner's other groups. */
  readsAtOnce: number;
}

/** A linked group, as the database lists it. */
export interface PlannedGroup {
  guildId: string;
  groupId: string;
  /** Whose budget its reads draw on: the key's owner, or the key itself when the owner is not known yet. */
  budgetId: string;
}

export interface LinkedGroup extends PlannedGroup {
  /** Read by this process (its guild is on one of this process's shards); others only count towards their owner's cycle. */
  mine: boolean;
}

export type ReadOutcome =
  /** Read to the end (or as far as one read goes), in this many pages; `throttled` when a call of it was retried after a 429 or 5xx. */
  | { pages: number; throttled: boolean }
  /** Roblox throttled or failed until the client gave up: the owner backs off. */
  | { failed: "throttled" }
  /** Something about this group alone (its key, its channel): the group waits. */
  | { failed: "group" };

export interface OwnerInterval {
  budgetId: string;
  /** This process's groups of the owner. */
  groups: number;
  /** How often each of them is read now, backoff included. */
  intervalMs: number;
  /** How many times the cycle is doubled after throttling. */
  backoffLevel: number;
}

export const MAX_BACKOFF_LEVEL = 4;
/** A group that keeps failing on its own is still tried at least this often: a fixed channel or key shows within it. */
export const MAX_GROUP_DELAY_MS = 60_000;

interface GroupState {
  group: PlannedGroup;
  /** Pages its last read took; a group never read counts as one. */
  pages: number;
  reading: boolean;
  /** The gap its running read was charged when it started, counting its last pages. */
  chargedMs: number;
  /** Failures of its own in a row. */
  failures: number;
  /** When it may be read again: the floor after a read, longer after its own failures. */
  notBefore: number;
}

interface OwnerState {
  /** This process's groups in rotation order: the next to read comes first. */
  rotation: GroupState[];
  /** Groups of this owner read by other processes; counted a page each. */
  elsewhere: number;
  /** When the owner's next read may start. */
  nextAt: number;
  reading: number;
  backoffLevel: number;
  /** Since when no read of the owner was throttled. */
  calmSince: number;
}

const keyOf = (group: Pick<PlannedGroup, "guildId" | "groupId">) => `${group.guildId}:${group.groupId}`;

export class ReadPlan {
  private readonly owners = new Map<string, OwnerState>();

  constructor(private readonly options: PlanOptions) {}

  /**
   * Takes the links as they are now: new groups join their owner's rotation
   * (read first), removed ones leave it; what is known of the others stays.
   */
  setLinks(links: readonly LinkedGroup[], now: number): void {
    const linked = new Map<string, { mine: PlannedGroup[]; elsewhere: number }>();
    for (const { mine, ...group } of links) {
      const owner = linked.get(group.budgetId) ?? { mine: [], elsewhere: 0 };
      if (mine) owner.mine.push(group);
      else owner.elsewhere += 1;
      linked.set(group.budgetId, owner);
    }
    for (const [budgetId, owner] of this.owners) {
      if (linked.has(budgetId)) continue;
      // A read still running for a group just unlinked keeps its owner until it ends, so its slot is accounted for.
      if (owner.reading > 0) Object.assign(owner, { rotation: [], elsewhere: 0 });
      else this.owners.delete(budgetId);
    }
    for (const [budgetId, { mine, elsewhere }] of linked) {
      const owner = this.owners.get(budgetId) ?? newOwner(now);
      this.owners.set(budgetId, owner);
      const stillLinked = new Set(mine.map(keyOf));
      // The rotation keeps its order, so a refresh never sends the first groups to the front again.
      const kept = owner.rotation.filter((state) => stillLinked.has(keyOf(state.group)));
      const keptKeys = new Set(kept.map((state) => keyOf(state.group)));
      const added = mine
        .filter((group) => !keptKeys.has(keyOf(group)))
        .map((group): GroupState => ({ group, pages: 1, reading: false, chargedMs: 0, failures: 0, notBefore: now }));
      owner.rotation = [...added, ...kept];
      owner.elsewhere = elsewhere;
    }
  }

  /** The read to start now, or how long until one may start (Infinity: nothing to read until something changes). */
  next(now: number): { read: PlannedGroup } | { waitMs: number } {
    let waitMs = Infinity;
    for (const owner of this.owners.values()) {
      if (owner.reading >= this.options.readsAtOnce) continue;
      if (owner.nextAt > now) {
        if (owner.rotation.some((state) => !state.reading)) waitMs = Math.min(waitMs, owner.nextAt - now);
        continue;
      }
      const index = owner.rotation.findIndex((state) => !state.reading && state.notBefore <= now);
      const state = owner.rotation[index];
      if (state === undefined) {
        for (const waiting of owner.rotation) if (!waiting.reading) waitMs = Math.min(waitMs, waiting.notBefore - now);
        continue;
      }
      owner.rotation.splice(index, 1);
      owner.rotation.push(state);
      state.reading = true;
      state.notBefore = now + this.options.minIntervalMs;
      state.chargedMs = this.gapMs(owner, state.pages);
      owner.reading += 1;
      owner.nextAt = now + state.chargedMs;
      return { read: state.group };
    }
    return { waitMs: Math.max(0, waitMs) };
  }

  /** A read started by next() ended. */
  finished(group: PlannedGroup, outcome: ReadOutcome, now: number): void {
    const owner = this.owners.get(group.budgetId);
    if (owner === undefined) return;
    owner.reading -= 1;
    const state = owner.rotation.find((candidate) => keyOf(candidate.group) === keyOf(group));
    if ("pages" in outcome && state !== undefined) {
      // The gap charged when it started counted its last pages; the owner pays for the difference now.
      state.pages = Math.max(1, outcome.pages);
      state.failures = 0;
      owner.nextAt += this.gapMs(owner, state.pages) - state.chargedMs;
    }
    if ("pages" in outcome ? outcome.throttled : outcome.failed === "throttled") {
      owner.backoffLevel = Math.min(MAX_BACKOFF_LEVEL, owner.backoffLevel + 1);
      owner.calmSince = now;
      owner.nextAt = Math.max(owner.nextAt, now + this.gapMs(owner, state?.pages ?? 1));
    } else if ("pages" in outcome) {
      if (owner.backoffLevel > 0 && now - owner.calmSince >= this.cycleMs(owner)) {
        owner.backoffLevel -= 1;
        owner.calmSince = now;
      }
    } else if (state !== undefined) {
      state.failures += 1;
      state.notBefore = now + Math.min(MAX_GROUP_DELAY_MS, this.options.minIntervalMs * 2 ** state.failures);
    }
    if (state !== undefined) state.reading = false;
    if (owner.rotation.length === 0 && owner.reading === 0 && owner.elsewhere === 0) this.owners.delete(group.budgetId);
  }

  /** Each owner with groups in this process, and the interval they are read at now. */
  intervals(): OwnerInterval[] {
    return [...this.owners]
      .filter(([, owner]) => owner.rotation.length > 0)
      .map(([budgetId, owner]) => ({ budgetId, groups: owner.rotation.length, intervalMs: this.cycleMs(owner), backoffLevel: owner.backoffLevel }));
  }

  /** One round of the owner's groups: their pages at the owner's share of the budget, no shorter than the floor, times the backoff. */
  private cycleMs(owner: OwnerState): number {
    const { budget, share, minIntervalMs } = this.options;
    const pages = owner.rotation.reduce((sum, state) => sum + state.pages, 0) + owner.elsewhere;
    const callMs = budget.windowMs / (budget.limit * share);
    return Math.max(minIntervalMs, pages * callMs) * 2 ** owner.backoffLevel;
  }

  /** The wait after a read of `pages`: its part of this process's round of the owner's groups. */
  private gapMs(owner: OwnerState, pages: number): number {
    const ownPages = owner.rotation.reduce((sum, state) => sum + state.pages, 0);
    return ownPages === 0 ? 0 : (this.cycleMs(owner) * pages) / ownPages;
  }
}

function newOwner(now: number): OwnerState {
  return { rotation: [], elsewhere: 0, nextAt: now, reading: 0, backoffLevel: 0, calmSince: now };
}
