import { randomUUID } from "node:crypto";
import { z } from "zod";
import {
  bulkRunPlayer,
  bulkRunSkipped,
  countBulkRunCases,
  createBulkRun,
  finishBulkRun,
  listBulkRunCases,
  readBulkRun,
  takeOverAbandonedBulkRuns,
  type BulkRunRow,
} from "../../db/bulkRuns.js";
import { createCase } from "../../db/cases.js";
import type { KeyedOpenCloud } from "../../opencloud/index.js";
import { forEachConcurrently } from "../concurrently.js";
import { openLinkedExperienceById } from "../moderation/linkedExperience.js";
import { carryOut, violates, type ModerationDeps } from "../moderation/restrictions.js";
import type { BulkRunBoard, BulkRunOutcome, BulkRunProgress } from "../ports.js";
import { DEAD_AFTER_SECONDS } from "../takeover.js";
import { guardDestructiveAction } from "../actionGuard.js";
import { UserError } from "../userError.js";
import type { BulkRunPreview } from "./previewBulkRun.js";

export interface BulkRunDeps extends ModerationDeps {
  board: BulkRunBoard;
}

/**
 * Players in progress at once per run: each is a case written, a PATCH, a
 * re-read and a settle, so several times the universe's 10 changes a second
 * keep its queue full while the client paces them. The run's calls take
 * turns with its guild's other calls (a tenant of their own), so a
 * moderator's /ban in the middle of a run waits one turn, not the run's queue.
 */
const IN_FLIGHT = 40;
/** How often the run looks whether it was cancelled. */
const STATUS_EVERY_MS = 1_000;
/** How often the progress message is edited: steady, and far inside Discord's limits on edits. */
const PROGRESS_EVERY_MS = 3_000;
/** After an unexpected failure (the database away), how long until the run is tried again. */
const RETRY_AFTER_MS = 5_000;

/** Records a confirmed run as this process's; `BulkRunner.start` then carries it out. */
export async function startBulkRun(deps: ModerationDeps, preview: BulkRunPreview, channelId: string): Promise<BulkRunRow> {
  if (preview.action === "ban") await guardDestructiveAction(deps, preview.guildId, preview.invokerId);
  return createBulkRun(deps.db, {
    id: randomUUID(),
    guildId: preview.guildId,
    action: preview.action,
    invokerId: preview.invokerId,
    universeId: preview.universeId,
    placeId: null,
    experienceName: preview.experienceName,
    durationSeconds: preview.durationSeconds,
    privateReason: preview.privateReason,
    publicReason: preview.publicReason ?? null,
    excludeAltAccounts: preview.excludeAltAccounts,
    players: preview.players,
    skipped: preview.skipped,
    channelId,
    ownerProcess: deps.processId,
  });
}

/**
 * The mass runs this process carries: started at Confirm, taken over from a
 * process that stopped heartbeating, handed on when this one stops (its
 * processes row goes, so a live process takes them over at its next beat).
 */
export class BulkRunner {
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(private readonly deps: BulkRunDeps) {}

  start(run: BulkRunRow): void {
    if (this.stopping || this.running.has(run.id)) return;
    const carried = this.carry(run).finally(() => this.running.delete(run.id));
    this.running.set(run.id, carried);
  }

  /** Runs left by dead processes become this one's; called with the other takeovers, on every heartbeat. */
  async takeOver(): Promise<number> {
    if (this.stopping) return 0;
    const taken = await takeOverAbandonedBulkRuns(this.deps.db, this.deps.processId, DEAD_AFTER_SECONDS);
    for (const run of taken) this.start(run);
    return taken.length;
  }

  /** Stops taking entries; what is in flight is settled before this resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running.values());
  }

  private async carry(run: BulkRunRow): Promise<void> {
    for (;;) {
      try {
        await carryOutRun(this.deps, run, () => this.stopping);
        return;
      } catch (error) {
        this.deps.logger.error({ err: error, runId: run.id }, "a mass run failed unexpectedly; trying again");
        if (this.stopping) return;
        await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS));
      }
    }
  }
}

/**
 * Goes through the run's players that have no case yet, a case each as /ban
 * makes it (pending before the call, its idempotency key, verified after),
 * until the list is done, the run is cancelled or the process stops. A
 * player with a case is never sent again: a resumed run picks up exactly
 * where the last one stopped.
 */
async function carryOutRun(deps: BulkRunDeps, run: BulkRunRow, processStopping: () => boolean): Promise<void> {
  const players = z.array(bulkRunPlayer).parse(run.players);
  const failures = new Map<string, string>();
  let roblox: KeyedOpenCloud | undefined;
  try {
    roblox = (await openLinkedExperienceById(deps, run.guildId, run.universeId, `${run.guildId}:run:${run.id}`)).roblox;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    for (const player of players) failures.set(player.id, error.message);
  }

  const sent = new Set((await listBulkRunCases(deps.db, run.id)).map((row) => row.robloxUserId));
  const started = Date.now();
  const settledBefore = sent.size;
  let cancelled = false;
  await deps.board.showProgress(run, await progressOf(deps, run, players.length, { started, settledBefore }));
  const watch = watchRun(deps, run, players.length, { started, settledBefore }, (state) => {
    cancelled = state !== "running";
  });
  try {
    if (roblox !== undefined) {
      const keyed = roblox;
      await forEachConcurrently(
        players.filter((player) => !sent.has(player.id)),
        IN_FLIGHT,
        async (player) => {
          if (cancelled || processStopping()) return;
          await changeOne(deps, run, keyed, player, failures);
        },
      );
    }
    if (processStopping() && !cancelled) return;
    await waitForPendingCases(deps, run.id);
  } finally {
    await watch.stop();
  }
  if (processStopping() && !cancelled) return;
  await finishBulkRun(deps.db, run.id);
  const ended = (await readBulkRun(deps.db, run.id)) ?? run;
  const progress = await progressOf(deps, ended, players.length, { started, settledBefore });
  await deps.board.showProgress(ended, progress);
  await deps.board.postSummary(ended, progress, await outcomesOf(deps, ended, failures));
}

async function changeOne(
  deps: BulkRunDeps,
  run: BulkRunRow,
  roblox: KeyedOpenCloud,
  player: { id: string; name: string },
  failures: Map<string, string>,
): Promise<void> {
  let row;
  try {
    row = await createCase(deps.db, {
      guildId: run.guildId,
      action: run.action,
      robloxUserId: player.id,
      robloxUsername: player.name,
      universeId: run.universeId,
      placeId: run.placeId,
      durationSeconds: run.durationSeconds,
      privateReason: run.privateReason || null,
      publicReason: run.publicReason,
      excludeAltAccounts: run.excludeAltAccounts,
      moderatorDiscordId: run.invokerId,
      source: "discord",
      idempotencyKey: randomUUID(),
      ownerProcess: deps.processId,
      bulkRunId: run.id,
    });
  } catch (error) {
    if (!violates(error, "cases_one_pending_per_target")) throw error;
    failures.set(player.id, "another change of this player was in flight; nothing was sent");
    return;
  }
  await carryOut(deps, row, roblox);
}

/** Looks at the run's status every second and edits its progress message every few, until stopped. */
function watchRun(
  deps: BulkRunDeps,
  run: BulkRunRow,
  total: number,
  pace: { started: number; settledBefore: number },
  onState: (state: BulkRunRow["status"]) => void,
) {
  let stopped = false;
  let lastShown = 0;
  const loop = (async () => {
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, STATUS_EVERY_MS));
      if (stopped) return;
      try {
        const current = await readBulkRun(deps.db, run.id);
        onState(current?.status ?? "cancelled");
        if (current !== undefined && Date.now() - lastShown >= PROGRESS_EVERY_MS) {
          lastShown = Date.now();
          await deps.board.showProgress(current, await progressOf(deps, current, total, pace));
        }
      } catch (error) {
        deps.logger.warn({ err: error, runId: run.id }, "could not show a mass run's progress");
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

async function progressOf(deps: BulkRunDeps, run: BulkRunRow, total: number, pace: { started: number; settledBefore: number }): Promise<BulkRunProgress> {
  const counts = await countBulkRunCases(deps.db, run.id);
  const settled = counts.applied + counts.failed;
  const minutes = (Date.now() - pace.started) / 60_000;
  const perMinute = minutes > 0 ? Math.max(0, settled - pace.settledBefore) / minutes : 0;
  const remaining = Math.max(0, total - settled);
  return {
    total,
    applied: counts.applied,
    failed: counts.failed,
    remaining,
    perMinute,
    estimatedEnd: run.status === "running" && perMinute > 0 && remaining > 0 ? new Date(Date.now() + (remaining / perMinute) * 60_000) : undefined,
    state: run.status,
    cancelledBy: run.cancelledBy,
  };
}

/** A dead process's cases of this run are settled by whoever took them over; the summary waits for them. */
async function waitForPendingCases(deps: BulkRunDeps, runId: string): Promise<void> {
  while ((await countBulkRunCases(deps.db, runId)).pending > 0) {
    await new Promise((resolve) => setTimeout(resolve, STATUS_EVERY_MS));
  }
}

async function outcomesOf(deps: BulkRunDeps, run: BulkRunRow, failures: ReadonlyMap<string, string>): Promise<BulkRunOutcome[]> {
  const players = z.array(bulkRunPlayer).parse(run.players);
  const skipped = bulkRunSkipped.parse(run.skipped);
  const byUser = new Map((await listBulkRunCases(deps.db, run.id)).map((row) => [row.robloxUserId, row]));
  const outcomes: BulkRunOutcome[] = players.map((player) => {
    const row = byUser.get(player.id);
    if (row === undefined) {
      const failure = failures.get(player.id);
      return { userId: player.id, name: player.name, outcome: "not sent", detail: failure ?? "cancelled before its turn" };
    }
    return row.status === "applied"
      ? { userId: player.id, name: player.name, outcome: "applied", detail: `case #${row.number}` }
      : { userId: player.id, name: player.name, outcome: "failed", detail: `case #${row.number}: ${row.error ?? "failed"}` };
  });
  const unchanged = run.action === "ban" ? "already banned" : "not banned";
  for (const player of skipped.unchanged) outcomes.push({ userId: player.id, name: player.name, outcome: "skipped", detail: unchanged });
  for (const typed of skipped.unknown) outcomes.push({ userId: "", name: typed, outcome: "skipped", detail: "no such Roblox user" });
  for (const typed of skipped.ambiguous) outcomes.push({ userId: "", name: typed, outcome: "skipped", detail: "an id of one account and the username of another" });
  for (const typed of skipped.invalid) outcomes.push({ userId: "", name: typed, outcome: "skipped", detail: "not a username or user id" });
  return outcomes;
}
