import { revealApiKey } from "../../db/apiKeys.js";
import type { ApiKeyCipher } from "../../db/apiKeyCipher.js";
import type { Database } from "../../db/connection.js";
import { listLinks, type LinkKind } from "../../db/links.js";
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

export interface LinkedTarget {
  robloxId: string;
  displayName: string;
  /** Open Cloud with this link's own key. */
  roblox: KeyedOpenCloud;
}

const NOUN = { universe: "experience", group: "group" } as const;
const SETUP = { universe: "/setup experience", group: "/setup group" } as const;

/**
 * The experience or group a command acts on: the one named (by id or name;
 * it must be linked to this guild, whatever a button id claims), or the only
 * one linked when none is named.
 */
export async function openLinked(
  deps: ExperienceDeps,
  guildId: string,
  kind: LinkKind,
  wanted: string | undefined,
): Promise<LinkedTarget> {
  const linked = (await listLinks(deps.db, guildId)).filter((link) => link.kind === kind);
  const name = wanted?.trim();
  const link =
    name === undefined || name === ""
      ? onlyOne(linked, kind)
      : linked.find((candidate) => candidate.robloxId === name || candidate.displayName.toLowerCase() === name.toLowerCase());
  if (link === undefined) {
    throw new UserError(
      linked.length === 0
        ? `No ${NOUN[kind]} is linked to this server yet. An admin can link one with \`${SETUP[kind]}\`.`
        : `\`${name}\` is not an ${NOUN[kind]} linked to this server. Pick one from the list (\`/setup show\` shows them all).`,
    );
  }
  const apiKey = await revealApiKey(deps.db, deps.cipher, guildId, link.apiKeyId);
  if (apiKey === undefined) throw new Error(`The API key of ${kind} link ${link.robloxId} is missing.`);
  return { robloxId: link.robloxId, displayName: link.displayName, roblox: deps.openCloud.withKey(apiKey, { tenant: guildId }) };
}

/** The experience a moderation command acts on (see openLinked). */
export async function openLinkedExperience(
  deps: ExperienceDeps,
  guildId: string,
  experience: string | undefined,
): Promise<LinkedExperience> {
  const linked = await openLinked(deps, guildId, "universe", experience);
  return { universeId: linked.robloxId, displayName: linked.displayName, roblox: linked.roblox };
}

function onlyOne<T>(links: T[], kind: LinkKind): T | undefined {
  if (links.length > 1) {
    throw new UserError(
      kind === "universe"
        ? "Several experiences are linked to this server: choose one with the `experience` option."
        : "Several groups are linked to this server: choose one with the `group` option.",
    );
  }
  return links[0];
}
