import { getGroupRules, setGroupRules } from "../../db/links.js";
import { openLinked, type ExperienceDeps } from "../moderation/linkedExperience.js";
import { joinRulesSchema, type JoinRules } from "./joinRules.js";

/** Changes the settings given (undefined keeps one) and returns the rules as they now stand. */
export async function updateJoinRules(
  deps: ExperienceDeps,
  guildId: string,
  group: string | undefined,
  changes: Partial<JoinRules>,
): Promise<{ groupName: string; rules: JoinRules; changed: boolean }> {
  const linked = await openLinked(deps, guildId, "group", group);
  const current = joinRulesSchema.parse((await getGroupRules(deps.db, guildId, linked.robloxId)) ?? {});
  const given = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  const rules = joinRulesSchema.parse({ ...current, ...given });
  const changed = Object.keys(given).length > 0;
  if (changed) await setGroupRules(deps.db, guildId, linked.robloxId, rules);
  return { groupName: linked.displayName, rules, changed };
}
