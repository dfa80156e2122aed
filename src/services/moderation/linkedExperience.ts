import { revealApiKey } from "../../db/apiKeys.js";
import type { ApiKeyCipher } from "../../db/apiKeyCipher.js";
import type { Database } from "../../db/connection.js";
import { getLink, listLinks, type Link, type LinkKind } from "../../db/links.js";
import type { KeyIntrospection, KeyedOpenCloud, OpenCloud } from "../../opencloud/index.js";
import { chooseLink } from "../linkNames.js";
import { bindKey } from "../bindKey.js";
import { clipText } from "../clipText.js";
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
  /** What Roblox says this link's key may do now (its scopes may have changed since it was linked). */
  introspectKey(): Promise<KeyIntrospection>;
}

const NOUN = { universe: "Experience", group: "Group" } as const;

/**
 * The experience or group a command acts on, from what staff typed: an id,
 * a name no other link of the kind shares, or nothing when only one is linked.
 */
export async function openLinked(
  deps: ExperienceDeps,
  guildId: string,
  kind: LinkKind,
  typed: string | undefined,
): Promise<LinkedTarget> {
  return open(deps, guildId, chooseLink(await listLinks(deps.db, guildId), kind, typed));
}

/**
 * The experience or group with exactly this id, for callers that hold one
 * (a button id, a job, a stored case): never matched by name, and it must be
 * linked to this guild now, whatever the caller's id claims.
 */
export async function openLinkedById(
  deps: ExperienceDeps,
  guildId: string,
  kind: LinkKind,
  robloxId: string,
  tenant = guildId,
): Promise<LinkedTarget> {
  const link = await getLink(deps.db, guildId, kind, robloxId);
  if (link === undefined) throw new UserError(`${NOUN[kind]} ${clipText(robloxId, 20)} is not linked to this server.`);
  return open(deps, guildId, link, tenant);
}

/** The experience a moderation command acts on (see openLinked). */
export async function openLinkedExperience(deps: ExperienceDeps, guildId: string, typed: string | undefined): Promise<LinkedExperience> {
  return asExperience(await openLinked(deps, guildId, "universe", typed));
}

/** The experience with exactly this universe id (see openLinkedById). */
/**
 * The experience with exactly this universe id (see openLinkedById). `tenant`
 * is whose turn its calls take in shared budgets: the guild by default; a
 * long run takes turns with its own guild's commands under a tenant of its own.
 */
export async function openLinkedExperienceById(
  deps: ExperienceDeps,
  guildId: string,
  universeId: string,
  tenant = guildId,
): Promise<LinkedExperience> {
  return asExperience(await openLinkedById(deps, guildId, "universe", universeId, tenant));
}

async function open(deps: ExperienceDeps, guildId: string, link: Link, tenant = guildId): Promise<LinkedTarget> {
  const apiKey = await revealApiKey(deps.db, deps.cipher, guildId, link.apiKeyId);
  if (apiKey === undefined) throw new Error(`The API key of ${link.kind} link ${link.robloxId} is missing.`);
  return {
    robloxId: link.robloxId,
    displayName: link.displayName,
    roblox: bindKey(deps.openCloud, apiKey, tenant),
    introspectKey: () => deps.openCloud.apiKeys.introspect(apiKey.secret),
  };
}

function asExperience(linked: LinkedTarget): LinkedExperience {
  return { universeId: linked.robloxId, displayName: linked.displayName, roblox: linked.roblox };
}
