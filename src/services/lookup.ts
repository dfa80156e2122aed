import { revealApiKey } from "../db/apiKeys.js";
import { bindKey } from "./bindKey.js";
import { listCasesForUser, type CaseRow } from "../db/cases.js";
import { listLinks } from "../db/links.js";
import { OpenCloudError, userMessage, type KeyedOpenCloud, type RestrictionLogEntry, type RobloxUser } from "../opencloud/index.js";
import { openLinkedExperience, type ExperienceDeps, type LinkedExperience } from "./moderation/linkedExperience.js";
import { resolvePlayer, type Player } from "./moderation/resolvePlayer.js";
import { recordsCase } from "./moderation/restrictionLog.js";
import type { ProfileDeps } from "./playerProfiles.js";
import { UserError } from "./userError.js";

export type BanState =
  | { universeId: string; experienceName: string; banned: false }
  | { universeId: string; experienceName: string; banned: true; endTime: Date | null; reason: string }
  | { universeId: string; experienceName: string; unknown: string };

export interface PlayerLookup {
  profile: RobloxUser;
  avatarUrl: string | undefined;
  bans: BanState[];
  cases: CaseRow[];
}

/**
 * Everything staff want before deciding about a player: profile, account
 * age, avatar, whether they are banned in each linked experience (each read
 * with that experience's own key), and this guild's cases.
 */
export async function lookUpPlayer(deps: ExperienceDeps & ProfileDeps, guildId: string, typed: string): Promise<PlayerLookup> {
  const links = await listLinks(deps.db, guildId);
  const keyOf = (apiKeyId: number) => openKey(deps, guildId, apiKeyId);
  const roblox = await openAnyLink(deps, guildId);
  const player = await resolvePlayer(deps, roblox, typed, guildId);
  const [profile, avatar, bans, cases] = await Promise.all([
    deps.profiles.profile(roblox, player.id, guildId),
    deps.profiles.avatarUrl(player.id, guildId),
    Promise.all(
      links
        .filter((link) => link.kind === "universe")
        .map(async (link): Promise<BanState> => {
          const base = { universeId: link.robloxId, experienceName: link.displayName };
          try {
            const restriction = await (await keyOf(link.apiKeyId)).userRestrictions.get({ universeId: link.robloxId, userId: player.id });
            return restriction.active
              ? { ...base, banned: true, endTime: restriction.endTime, reason: restriction.privateReason }
              : { ...base, banned: false };
          } catch (error) {
            if (!(error instanceof OpenCloudError)) throw error;
            return { ...base, unknown: userMessage(error) };
          }
        }),
    ),
    listCasesForUser(deps.db, guildId, player.id),
  ]);
  return { profile, avatarUrl: avatar, bans, cases };
}

/** Open Cloud with the key of one of the guild's links: reading a player's profile needs a key, any key. */
export async function openAnyLink(deps: ExperienceDeps, guildId: string): Promise<KeyedOpenCloud> {
  const [first] = await listLinks(deps.db, guildId);
  if (first === undefined) {
    throw new UserError("Nothing is linked to this server yet: an admin can link an experience with `/setup experience`.");
  }
  return openKey(deps, guildId, first.apiKeyId);
}

async function openKey(deps: ExperienceDeps, guildId: string, apiKeyId: number): Promise<KeyedOpenCloud> {
  const apiKey = await revealApiKey(deps.db, deps.cipher, guildId, apiKeyId);
  if (apiKey === undefined) throw new Error(`API key ${apiKeyId} is missing.`);
  return bindKey(deps.openCloud, apiKey, guildId);
}

export type HistoryEntry = {
  at: Date;
  action: "ban" | "unban";
  placeId: string | null;
  durationSeconds: number | null;
  reason: string;
} & (
  | { by: "warden"; caseNumber: number; moderatorDiscordId: string | null; status: CaseRow["status"] }
  | { by: "roblox-user"; robloxUserId: string }
  | { by: "in-game" }
  | { by: "unknown" }
);

const MAX_LOG_ENTRIES = 100;

/**
 * Roblox's restriction log for a player in one experience, merged with this
 * guild's cases: a log entry that matches a case is shown as that case (who
 * in Discord acted); the rest came from Creator Hub, another Open Cloud
 * tool, or a game server. Cases Roblox never logged (failed) are kept too.
 */
export async function playerHistory(
  deps: ExperienceDeps & ProfileDeps,
  guildId: string,
  typed: string,
  experience: string | undefined,
): Promise<{ player: Player; experienceName: string; entries: HistoryEntry[] }> {
  const linked = await openLinkedExperience(deps, guildId, experience);
  const player = await resolvePlayer(deps, linked.roblox, typed, guildId);
  const [logs, allCases] = await Promise.all([
    readLogs(linked, player.id),
    listCasesForUser(deps.db, guildId, player.id),
  ]);
  const cases = allCases.filter((row) => row.universeId === linked.universeId && (row.action === "ban" || row.action === "unban"));

  const unmatched = new Set(cases);
  const entries: HistoryEntry[] = logs.map((log) => {
    const action = log.active ? "ban" : "unban";
    const match = [...unmatched].find((row) => recordsCase(log, row));
    const base = {
      at: log.createTime ?? new Date(0),
      action,
      placeId: log.placeId,
      durationSeconds: log.durationSeconds,
      reason: log.privateReason,
    } as const;
    if (match !== undefined) {
      unmatched.delete(match);
      return { ...base, by: "warden", caseNumber: match.number, moderatorDiscordId: match.moderatorDiscordId, status: match.status };
    }
    if (log.moderator.kind === "robloxUser") return { ...base, by: "roblox-user", robloxUserId: log.moderator.userId };
    return { ...base, by: log.moderator.kind === "gameServerScript" ? "in-game" : "unknown" };
  });
  for (const row of unmatched) {
    entries.push({
      at: row.createdAt,
      action: row.action === "unban" ? "unban" : "ban",
      placeId: row.placeId,
      durationSeconds: row.durationSeconds,
      reason: row.privateReason ?? "",
      by: "warden",
      caseNumber: row.number,
      moderatorDiscordId: row.moderatorDiscordId,
      status: row.status,
    });
  }
  entries.sort((a, b) => b.at.getTime() - a.at.getTime());
  return { player, experienceName: linked.displayName, entries };
}

/** The newest MAX_LOG_ENTRIES entries of the player's restriction log; its pages follow one another. */
async function readLogs(linked: LinkedExperience, userId: string): Promise<RestrictionLogEntry[]> {
  const logs: RestrictionLogEntry[] = [];
  for await (const entry of linked.roblox.userRestrictions.listLogs({ universeId: linked.universeId, userId, maxPageSize: 100 }).items()) {
    logs.push(entry);
    if (logs.length >= MAX_LOG_ENTRIES) break;
  }
  return logs;
}
