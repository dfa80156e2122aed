import type { ApiKeyCipher } from "../db/apiKeyCipher.js";
import { storeApiKey } from "../db/apiKeys.js";
import type { Database } from "../db/connection.js";
import {
  getAppealSettings,
  getGuildChannels,
  setAppealSettings,
  setGuildChannels,
  type AppealSettings,
  type GuildChannels,
} from "../db/guilds.js";
import { keyLabel, listLinks, removeLink, upsertLink, type Link, type LinkKind } from "../db/links.js";
import {
  NotFoundError,
  PermissionDeniedError,
  UnauthenticatedError,
  missingScopes,
  type KeyIntrospection,
  type OpenCloud,
  type ScopeNeed,
} from "../opencloud/index.js";
import { chooseLink, nameConflict } from "./linkNames.js";
import { UserError } from "./userError.js";

export interface SetupDeps {
  db: Database;
  openCloud: OpenCloud;
  cipher: ApiKeyCipher;
}

export interface LinkRequest {
  guildId: string;
  actorId: string;
  kind: LinkKind;
  robloxId: string;
  /** The name staff gave; Roblox's own name is used when left out. */
  name: string | undefined;
  apiKey: string;
}

export interface LinkResult {
  kind: LinkKind;
  robloxId: string;
  displayName: string;
  fingerprint: string;
}

/** What each link must be able to do, as Creator Hub names the permissions. */
export function scopesNeeded(kind: LinkKind, robloxId: string): ScopeNeed[] {
  return kind === "universe"
    ? [
        { scope: "universe.user-restriction:read", universeId: robloxId },
        { scope: "universe.user-restriction:write", universeId: robloxId },
      ]
    : [
        { scope: "group:read", groupId: robloxId },
        { scope: "group:write", groupId: robloxId },
      ];
}

const noun = (kind: LinkKind) => (kind === "universe" ? "experience" : "group");

/**
 * Links an experience or group to the guild with its API key, after proving
 * the key works for it: Roblox must know the key, the key must hold the
 * scopes Warden uses for that very universe or group, and a read must pass.
 * Only then is the key sealed and stored.
 */
export async function linkWithApiKey(deps: SetupDeps, request: LinkRequest): Promise<LinkResult> {
  const apiKey = request.apiKey.trim();
  if (!/^[0-9]{1,20}$/.test(request.robloxId)) {
    throw new UserError(`\`${request.robloxId}\` is not a ${noun(request.kind)} id: it is a number.`);
  }
  if (apiKey === "") throw new UserError("The API key was empty. Paste the key Creator Hub showed when you created it.");
  await checkLinkName(deps.db, request.guildId, request.kind, request.robloxId, request.name);

  const introspection = await introspect(deps.openCloud, apiKey);
  const missing = missingScopes(introspection, scopesNeeded(request.kind, request.robloxId));
  if (missing.length > 0) {
    throw new UserError(
      `This API key lacks ${missing.map((scope) => `\`${scope}\``).join(" and ")} for ${noun(request.kind)} ` +
        `${request.robloxId}. In Creator Hub -> Open Cloud -> API Keys, edit the key to add it for this ` +
        `${noun(request.kind)}, then run /setup again.`,
    );
  }

  const robloxName = await probe(deps.openCloud, apiKey, introspection, request);
  const displayName = request.name?.trim() || (await nameFromRoblox(deps.db, request, robloxName));
  const stored = await storeApiKey(deps.db, deps.cipher, {
    guildId: request.guildId,
    label: keyLabel(request.kind, request.robloxId),
    apiKey,
    ownerId: introspection.authorizedUserId ?? null,
    createdBy: request.actorId,
  });
  await upsertLink(deps.db, {
    guildId: request.guildId,
    kind: request.kind,
    robloxId: request.robloxId,
    displayName,
    apiKeyId: stored.id,
    createdBy: request.actorId,
  });
  return { kind: request.kind, robloxId: request.robloxId, displayName, fingerprint: stored.fingerprint };
}

/**
 * Refuses a name staff chose that another link's id or name already is, or
 * that reads as an id: commands take either, and a name must never stand
 * for another link. Checked before the key is asked for and again when it
 * is stored.
 */
export async function checkLinkName(
  db: Database,
  guildId: string,
  kind: LinkKind,
  robloxId: string,
  name: string | undefined,
): Promise<void> {
  const wanted = name?.trim();
  if (wanted === undefined || wanted === "") return;
  const conflict = nameConflict(await listLinks(db, guildId), kind, robloxId, wanted);
  if (conflict !== undefined) throw new UserError(`Warden can't name this ${noun(kind)} that: ${conflict} Choose another \`name\`.`);
}

/** Roblox's own name, with the id added when another link already answers to it. */
async function nameFromRoblox(db: Database, request: LinkRequest, robloxName: string): Promise<string> {
  const name = robloxName.trim() || `${noun(request.kind)} ${request.robloxId}`;
  const conflict = nameConflict(await listLinks(db, request.guildId), request.kind, request.robloxId, name);
  return conflict === undefined ? name : `${name} (${request.robloxId})`;
}

async function introspect(openCloud: OpenCloud, apiKey: string): Promise<KeyIntrospection> {
  let key: KeyIntrospection;
  try {
    key = await openCloud.apiKeys.introspect(apiKey);
  } catch (error) {
    if (error instanceof UnauthenticatedError) {
      throw new UserError(
        "Roblox doesn't recognise this API key. Copy it again from Creator Hub -> Open Cloud -> API Keys " +
          "(the whole key, shown once when it is created or regenerated), then run /setup again.",
      );
    }
    throw error;
  }
  if (!key.enabled) throw new UserError("This API key is disabled in Creator Hub. Enable it there, then run /setup again.");
  if (key.expired) {
    throw new UserError(
      "This API key has expired (keys also expire after 60 days without use). Create or regenerate one in Creator Hub, then run /setup again.",
    );
  }
  return key;
}

/** A real call with the key on the linked universe or group: ids and restrictions are proven, not assumed. */
async function probe(
  openCloud: OpenCloud,
  apiKey: string,
  introspection: KeyIntrospection,
  request: LinkRequest,
): Promise<string> {
  const roblox = openCloud.withKey(apiKey, { ownerId: introspection.authorizedUserId ?? undefined, tenant: request.guildId });
  try {
    if (request.kind === "universe") {
      const universe = await roblox.universes.get(request.robloxId);
      await roblox.userRestrictions.list({ universeId: request.robloxId, maxPageSize: 1 }).page();
      return universe.displayName;
    }
    const group = await roblox.groups.get(request.robloxId);
    await roblox.groups.joinRequests(request.robloxId, { maxPageSize: 1 }).page();
    return group.displayName;
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new UserError(
        request.kind === "universe"
          ? `Roblox has no experience with universe id ${request.robloxId}. Use the universe id (Creator Hub -> your experience -> Copy Universe ID), not a place id.`
          : `Roblox has no group with id ${request.robloxId}. The id is the number in the group's URL.`,
      );
    }
    if (error instanceof PermissionDeniedError) {
      throw new UserError(
        `Roblox refused this API key for ${noun(request.kind)} ${request.robloxId}` +
          (error.requiredScope ? ` (it needs \`${error.requiredScope}\`)` : "") +
          ". Check the key's permissions and allowed IP addresses in Creator Hub, then run /setup again.",
      );
    }
    throw error;
  }
}

export interface SetupOverview {
  channels: GuildChannels;
  appeals: AppealSettings;
  links: Link[];
}

export async function describeSetup(db: Database, guildId: string): Promise<SetupOverview> {
  const [channels, appeals, links] = await Promise.all([getGuildChannels(db, guildId), getAppealSettings(db, guildId), listLinks(db, guildId)]);
  return { channels, appeals, links };
}

/** Where the guild's appeals are posted and whether it takes them; a cooling-off left out keeps the one in force. */
export async function configureAppeals(
  db: Database,
  guildId: string,
  choice: { channelId: string; enabled: boolean; cooldownDays: number | undefined },
): Promise<AppealSettings> {
  const cooldownDays = choice.cooldownDays ?? (await getAppealSettings(db, guildId)).cooldownDays;
  return setAppealSettings(db, guildId, { channelId: choice.channelId, enabled: choice.enabled, cooldownDays });
}

export async function chooseChannels(
  db: Database,
  guildId: string,
  channels: { modLogChannelId: string | undefined; reviewChannelId: string | undefined },
): Promise<GuildChannels> {
  if (channels.modLogChannelId === undefined && channels.reviewChannelId === undefined) {
    throw new UserError("Pick at least one channel: `log` for the mod log, `review` for join requests.");
  }
  return setGuildChannels(db, guildId, {
    ...(channels.modLogChannelId === undefined ? {} : { modLogChannelId: channels.modLogChannelId }),
    ...(channels.reviewChannelId === undefined ? {} : { reviewChannelId: channels.reviewChannelId }),
  });
}

/** Unlinks what staff named (as every command reads it) and forgets its stored key; returns the link removed. */
export async function unlink(db: Database, guildId: string, kind: LinkKind, typed: string): Promise<Link> {
  if (typed.trim() === "") throw new UserError(`Name the ${noun(kind)} to remove: its id, or its name.`);
  const link = chooseLink(await listLinks(db, guildId), kind, typed);
  if (!(await removeLink(db, guildId, kind, link.robloxId))) {
    throw new UserError(`That ${noun(kind)} was unlinked meanwhile. \`/setup show\` lists what is linked.`);
  }
  return link;
}
