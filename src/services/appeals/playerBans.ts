import { revealApiKey } from "../../db/apiKeys.js";
import { listAppealableExperiences, listPlayerAppeals, type AppealableExperience, type AppealRow } from "../../db/appeals.js";
import { listCasesForUser } from "../../db/cases.js";
import { OpenCloudError } from "../../opencloud/index.js";
import { bindKey } from "../bindKey.js";
import type { ExperienceDeps } from "../moderation/linkedExperience.js";

/** One active ban of the player, as the player may see it: never the private reason. */
export interface PlayerBan {
  guildId: string;
  universeId: string;
  /** Null: the whole experience. */
  placeId: string | null;
  experienceName: string;
  startTime: Date;
  /** Null: permanent. */
  endTime: Date | null;
  publicReason: string;
  cooldownDays: number;
}

export interface PlayerBans {
  bans: PlayerBan[];
  /** Experiences whose bans could not be read now, with why, in words for the player. */
  unreadable: { experienceName: string; problem: string }[];
  /** Every appeal the player wrote, newest first, with the name of its experience. */
  appeals: (AppealRow & { experienceName: string })[];
}

/**
 * The player's active bans in every experience linked to a guild that takes
 * appeals, each read from Roblox with that guild's own key (through the
 * shared client, so the owner's budgets are respected), and their appeals.
 */
export async function listPlayerBans(deps: ExperienceDeps, robloxUserId: string): Promise<PlayerBans> {
  const experiences = await listAppealableExperiences(deps.db);
  const reads = await Promise.all(experiences.map((experience) => readBans(deps, experience, robloxUserId)));
  const names = new Map(experiences.map((experience) => [`${experience.guildId}:${experience.universeId}`, experience.displayName]));
  const appeals = (await listPlayerAppeals(deps.db, robloxUserId)).map((appeal) => ({
    ...appeal,
    experienceName: names.get(`${appeal.guildId}:${appeal.universeId}`) ?? `Experience ${appeal.universeId}`,
  }));
  return {
    bans: reads.flatMap((read) => ("bans" in read ? read.bans : [])),
    unreadable: reads.flatMap((read) => ("problem" in read ? [read] : [])),
    appeals,
  };
}

/** The player's active ban at this exact target, read from Roblox now; undefined when there is none. */
export async function readBan(
  deps: ExperienceDeps,
  experience: AppealableExperience,
  robloxUserId: string,
  placeId: string | null,
): Promise<PlayerBan | undefined> {
  const roblox = await openExperience(deps, experience);
  const restriction = await roblox.userRestrictions.get({ universeId: experience.universeId, placeId: placeId ?? undefined, userId: robloxUserId });
  // At a place, a universe ban shows as inherited: it is the universe's ban, appealed there.
  if (!restriction.active || restriction.inherited || restriction.startTime === null) return undefined;
  return {
    guildId: experience.guildId,
    universeId: experience.universeId,
    placeId,
    experienceName: experience.displayName,
    startTime: restriction.startTime,
    endTime: restriction.endTime,
    publicReason: restriction.displayReason,
    cooldownDays: experience.cooldownDays,
  };
}

async function readBans(
  deps: ExperienceDeps,
  experience: AppealableExperience,
  robloxUserId: string,
): Promise<{ bans: PlayerBan[] } | { experienceName: string; problem: string }> {
  // Place bans are found where Warden made them: Roblox offers no per-player list across places.
  const places = new Set(
    (await listCasesForUser(deps.db, experience.guildId, robloxUserId))
      .filter((row) => row.action === "ban" && row.universeId === experience.universeId && row.placeId !== null)
      .map((row) => row.placeId),
  );
  try {
    const found = await Promise.all([null, ...places].map((placeId) => readBan(deps, experience, robloxUserId, placeId)));
    return { bans: found.filter((ban) => ban !== undefined) };
  } catch (error) {
    if (!(error instanceof OpenCloudError)) throw error;
    // Staff learn of a broken key from /setup show; the player only needs to know to come back.
    return { experienceName: experience.displayName, problem: "Roblox could not be asked about your bans here just now; try again in a few minutes." };
  }
}

async function openExperience(deps: ExperienceDeps, experience: AppealableExperience) {
  const apiKey = await revealApiKey(deps.db, deps.cipher, experience.guildId, experience.apiKeyId);
  if (apiKey === undefined) throw new Error(`API key ${experience.apiKeyId} is missing.`);
  return bindKey(deps.openCloud, apiKey, experience.guildId);
}
