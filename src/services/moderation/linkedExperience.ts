import { revealApiKey } from "../../db/apiKeys.js";
import type { ApiKeyCipher } from "../../db/apiKeyCipher.js";
import type { Database } from "../../db/connection.js";
import { listLinks } from "../../db/links.js";
import type { KeyedOpenCloud, OpenCloud } from "../../opencloud/index.js";
import { UserError } from "../userError.js";

export interface ExperienceDeps {
  db: Database;
  openCloud: OpenCloud;
  cipher: ApiKeyCipher;
}

export interface LinkedExperience {
  universeId: string;
  displayName: string;
  /** Open Cloud with this experience's own key. */
  roblox: KeyedOpenCloud;
}

/**
 * The experience a command acts on: the one named (it must be linked to this
 * guild), or the only one linked when none is named.
 */
export async function openLinkedExperience(
  deps: ExperienceDeps,
  guildId: string,
  experience: string | undefined,
): Promise<LinkedExperience> {
  const linked = (await listLinks(deps.db, guildId)).filter((link) => link.kind === "universe");
  const wanted = experience?.trim();
  const link =
    wanted === undefined || wanted === ""
      ? onlyOne(linked)
      : linked.find((candidate) => candidate.robloxId === wanted || candidate.displayName.toLowerCase() === wanted.toLowerCase());
  if (link === undefined) {
    throw new UserError(
      linked.length === 0
        ? "No experience is linked to this server yet. An admin can link one with `/setup experience`."
        : `\`${wanted}\` is not an experience linked to this server. Pick one from the list (\`/setup show\` shows them all).`,
    );
  }
  const apiKey = await revealApiKey(deps.db, deps.cipher, guildId, link.apiKeyId);
  if (apiKey === undefined) throw new Error(`The API key of universe link ${link.robloxId} is missing.`);
  return { universeId: link.robloxId, displayName: link.displayName, roblox: deps.openCloud.withKey(apiKey) };
}

function onlyOne<T>(links: T[]): T | undefined {
  if (links.length > 1) {
    throw new UserError("Several experiences are linked to this server: choose one with the `experience` option.");
  }
  return links[0];
}
