import { pageCases, type CaseRow } from "../../db/cases.js";
import { listLinks } from "../../db/links.js";
import { OpenCloudError } from "../../opencloud/index.js";
import { forEachConcurrently } from "../concurrently.js";
import { openLinkedExperienceById, type ExperienceDeps } from "./linkedExperience.js";

/** What a moderator should see about a player before acting on them. */
export interface PlayerRecord {
  /** The player's latest cases in this guild, newest first, at most EARLIER_CASES_SHOWN. */
  cases: CaseRow[];
  /** How many cases the player has in this guild in all. */
  totalCases: number;
  /** The guild's other linked experiences, each with whether the player is banned there now (undefined: Roblox could not say). */
  elsewhere: { experienceName: string; banned: boolean | undefined }[];
}

export const EARLIER_CASES_SHOWN = 5;
/** Other experiences read at once: a guild with many links waits for a few round trips, not one per link. */
const READS_IN_FLIGHT = 4;

/**
 * The player's record in this guild: their cases here, and their ban state
 * in every linked experience but `universeId` (the one being acted on, whose
 * state the action itself reads), each with its own key.
 */
export async function readPlayerRecord(
  deps: ExperienceDeps,
  guildId: string,
  player: { id: string; universeId: string },
): Promise<PlayerRecord> {
  const others = (await listLinks(deps.db, guildId)).filter((link) => link.kind === "universe" && link.robloxId !== player.universeId);
  const elsewhere: PlayerRecord["elsewhere"] = others.map((link) => ({ experienceName: link.displayName, banned: undefined }));
  const [{ rows, total }] = await Promise.all([
    pageCases(deps.db, guildId, { robloxUserId: player.id }, { offset: 0, limit: EARLIER_CASES_SHOWN }),
    forEachConcurrently(others.entries(), READS_IN_FLIGHT, async ([index, link]) => {
      const experience = await openLinkedExperienceById(deps, guildId, link.robloxId);
      try {
        const restriction = await experience.roblox.userRestrictions.get({ universeId: experience.universeId, userId: player.id });
        elsewhere[index] = { experienceName: link.displayName, banned: restriction.active };
      } catch (error) {
        // A state Roblox would not give (a key without read access, an outage) is shown as unknown, not as "not banned".
        if (!(error instanceof OpenCloudError)) throw error;
      }
    }),
  ]);
  return { cases: rows, totalCases: total, elsewhere };
}
