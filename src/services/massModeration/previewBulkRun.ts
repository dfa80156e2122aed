import type { BulkRunPlayer, BulkRunSkipped } from "../../db/bulkRuns.js";
import { forEachConcurrently } from "../concurrently.js";
import { parseBanDuration } from "../moderation/banDuration.js";
import { openLinkedExperience } from "../moderation/linkedExperience.js";
import type { ModerationDeps } from "../moderation/restrictions.js";
import { checkReasons } from "../moderation/restrictions.js";
import { parseMassList, type MassListSource } from "./massList.js";
import { resolveMassList } from "./resolveMassList.js";

/** Enough reads in flight to keep the universe's read budget busy; the client paces them. */
const READS_IN_FLIGHT = 16;

export interface BulkRunRequest {
  action: "ban" | "unban";
  guildId: string;
  invokerId: string;
  sources: MassListSource[];
  experience: string | undefined;
  /** For bans: 30m, 7d, perm… */
  duration: string | undefined;
  reason: string | undefined;
  publicReason: string | undefined;
  excludeAltAccounts: boolean;
}

/** What Confirm will start: everything checked and looked up, nothing sent to Roblox. */
export interface BulkRunPreview {
  action: "ban" | "unban";
  guildId: string;
  invokerId: string;
  universeId: string;
  experienceName: string;
  durationSeconds: number | null;
  privateReason: string;
  publicReason: string | undefined;
  excludeAltAccounts: boolean;
  players: BulkRunPlayer[];
  skipped: BulkRunSkipped;
}

/**
 * Reads the list, looks every entry up and reads each player's current state
 * in the experience, so the preview says exactly what Confirm will do: who is
 * changed, who is already banned (or not banned, for an unban) and skipped,
 * which entries match nobody or are ambiguous.
 */
export async function previewBulkRun(deps: ModerationDeps, request: BulkRunRequest): Promise<BulkRunPreview> {
  const durationSeconds = request.action === "ban" ? parseBanDuration(request.duration ?? "") : null;
  const { privateReason, publicReason } = checkReasons(request.reason ?? "", request.action === "ban" ? request.publicReason : undefined, request.action === "ban");
  const list = parseMassList(request.sources);
  const experience = await openLinkedExperience(deps, request.guildId, request.experience);
  const resolved = await resolveMassList(deps, experience.roblox, list, request.guildId);

  const banned = new Set<string>();
  await forEachConcurrently(resolved.players, READS_IN_FLIGHT, async (player) => {
    const current = await experience.roblox.userRestrictions.get({ universeId: experience.universeId, userId: player.id });
    if (current.active) banned.add(player.id);
  });
  const changes = (player: BulkRunPlayer) => (request.action === "ban" ? !banned.has(player.id) : banned.has(player.id));
  const asRunPlayer = (player: BulkRunPlayer) => ({ id: player.id, name: player.name });
  return {
    action: request.action,
    guildId: request.guildId,
    invokerId: request.invokerId,
    universeId: experience.universeId,
    experienceName: experience.displayName,
    durationSeconds,
    privateReason,
    publicReason,
    excludeAltAccounts: request.excludeAltAccounts,
    players: resolved.players.filter(changes).map(asRunPlayer),
    skipped: {
      unknown: resolved.unknown,
      ambiguous: resolved.ambiguous.map((entry) => entry.typed),
      invalid: list.invalid,
      unchanged: resolved.players.filter((player) => !changes(player)).map(asRunPlayer),
      duplicates: resolved.duplicates,
    },
  };
}
