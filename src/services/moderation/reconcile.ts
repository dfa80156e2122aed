import { settleCase, type CaseRow } from "../../db/cases.js";
import { OpenCloudError, userMessage } from "../../opencloud/index.js";
import { UserError } from "../userError.js";
import { openLinkedExperienceById } from "./linkedExperience.js";
import { carryOut, publish, type ModerationDeps } from "./restrictions.js";

export interface ReconcileReport {
  /** Found already done on Roblox. */
  confirmed: number;
  /** Sent again with their own idempotency key and applied. */
  resumed: number;
  failed: number;
}

/**
 * Settles bans and unbans a dead process left pending (it died between the
 * record and the answer), now taken over by this one. Roblox's state decides:
 * a change already there is confirmed; one that is not is sent again with the
 * same idempotency key, so it applies once however far the first attempt got.
 */
export async function reconcilePendingCases(deps: ModerationDeps, taken: readonly CaseRow[]): Promise<ReconcileReport> {
  const report: ReconcileReport = { confirmed: 0, resumed: 0, failed: 0 };
  for (const row of taken) {
    if (row.action !== "ban" && row.action !== "unban") continue;
    try {
      const outcome = await reconcileOne(deps, row);
      report[outcome] += 1;
    } catch (error) {
      // Left pending and this process's: it is taken over again once this process is gone, and the log says why.
      deps.logger.error({ err: error, caseId: row.id }, "could not reconcile a pending case");
    }
  }
  return report;
}

async function reconcileOne(deps: ModerationDeps, row: CaseRow): Promise<keyof ReconcileReport> {
  let experience;
  try {
    if (row.universeId === null) throw new UserError("the case names no experience.");
    experience = await openLinkedExperienceById(deps, row.guildId, row.universeId);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    await publish(deps, await settleCase(deps.db, row.id, deps.processId, { status: "failed", error: `Interrupted, then: ${error.message}` }));
    return "failed";
  }

  const target = { universeId: experience.universeId, placeId: row.placeId ?? undefined, userId: row.robloxUserId };
  let current;
  try {
    current = await experience.roblox.userRestrictions.get(target);
  } catch (error) {
    if (!(error instanceof OpenCloudError)) throw error;
    await publish(deps, await settleCase(deps.db, row.id, deps.processId, { status: "failed", error: `Interrupted, then: ${userMessage(error)}` }));
    return "failed";
  }
  if (alreadyApplied(row, current)) {
    await publish(deps, await settleCase(deps.db, row.id, deps.processId, { status: "applied", expiresAt: current.endTime }));
    return "confirmed";
  }
  const result = await carryOut(deps, row, experience.roblox);
  return result.failure === undefined ? "resumed" : "failed";
}

/** Roblox already shows this very change: the same state, reason and duration the case asked for. */
function alreadyApplied(
  row: CaseRow,
  current: { active: boolean; inherited: boolean; privateReason: string; durationSeconds: number | null },
): boolean {
  if (row.action === "unban") return !current.active || current.inherited;
  return (
    current.active &&
    !current.inherited &&
    current.privateReason === (row.privateReason ?? "") &&
    current.durationSeconds === row.durationSeconds
  );
}
