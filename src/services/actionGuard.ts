import type { Database } from "../db/connection.js";
import { admitDestructiveAction } from "../db/moderatorPauses.js";
import type { SetupNotices } from "./ports.js";
import { UserError } from "./userError.js";

/**
 * The guard against a rogue or compromised moderator, asked before every
 * destructive action is recorded (a ban, a mass ban, a rank change, a
 * suspension): past the guild's limit the member is paused, the guild's
 * configurers are told in the mod log, and nothing more of theirs is done
 * until one of them lifts it.
 */
export async function guardDestructiveAction(
  deps: { db: Database; notices: SetupNotices },
  guildId: string,
  moderatorId: string,
): Promise<void> {
  const verdict = await admitDestructiveAction(deps.db, guildId, moderatorId);
  if (verdict.verdict === "admitted") return;
  if (verdict.verdict === "tripped") {
    await deps.notices.postSetupNotice(
      guildId,
      `Paused <@${moderatorId}>'s bans, mass bans, rank changes and suspensions: ${verdict.actions} in ${verdict.windowSeconds} s ` +
        "reached this server's limit, which is how a compromised account or a rogue moderator looks. " +
        "Nothing more of theirs is done until a member with `configure` checks and lifts it with `/staff release`.",
    );
  }
  throw new UserError(
    "Your bans, mass bans, rank changes and suspensions are paused: you made more than this server allows in a short time. " +
      "Nothing was done. A member with `configure` can lift the pause with `/staff release`.",
  );
}
