import { and, eq } from "drizzle-orm";
import type { Database } from "./connection.js";
import type { Shards, WorkScope } from "../shards.js";
import { apiKeys, groupLinks, universeLinks } from "./schema.js";
import { inShard, onShards } from "./shardFilter.js";

export type LinkKind = "universe" | "group";

export interface Link {
  kind: LinkKind;
  /** The universe or group id. */
  robloxId: string;
  displayName: string;
  apiKeyId: number;
  fingerprint: string;
  /** What the last key health check found wrong; null when nothing. */
  keyProblem: string | null;
  createdBy: string;
  createdAt: Date;
}

/** The api_keys label of the key a link uses: one key per linked universe or group. */
export const keyLabel = (kind: LinkKind, robloxId: string) => `${kind}:${robloxId}`;

export async function upsertLink(
  db: Database,
  link: { guildId: string; kind: LinkKind; robloxId: string; displayName: string; apiKeyId: number; createdBy: string },
): Promise<void> {
  const row = { guildId: link.guildId, apiKeyId: link.apiKeyId, displayName: link.displayName, createdBy: link.createdBy };
  if (link.kind === "universe") {
    await db
      .insert(universeLinks)
      .values({ ...row, universeId: link.robloxId })
      .onConflictDoUpdate({ target: [universeLinks.guildId, universeLinks.universeId], set: row });
  } else {
    await db
      .insert(groupLinks)
      .values({ ...row, groupId: link.robloxId })
      .onConflictDoUpdate({ target: [groupLinks.guildId, groupLinks.groupId], set: row });
  }
}

export async function listLinks(db: Database, guildId: string): Promise<Link[]> {
  return [...(await selectLinks(db, "universe", guildId)), ...(await selectLinks(db, "group", guildId))];
}

/** The guild's link of this kind with exactly this id; never matched by name. */
export async function getLink(db: Database, guildId: string, kind: LinkKind, robloxId: string): Promise<Link | undefined> {
  const [link] = await selectLinks(db, kind, guildId, robloxId);
  return link;
}

async function selectLinks(db: Database, kind: LinkKind, guildId: string, robloxId?: string): Promise<Link[]> {
  const table = kind === "universe" ? universeLinks : groupLinks;
  const idColumn = kind === "universe" ? universeLinks.universeId : groupLinks.groupId;
  const rows = await db
    .select({
      robloxId: idColumn,
      displayName: table.displayName,
      apiKeyId: table.apiKeyId,
      fingerprint: apiKeys.fingerprint,
      keyProblem: apiKeys.problem,
      createdBy: table.createdBy,
      createdAt: table.createdAt,
    })
    .from(table)
    .innerJoin(apiKeys, eq(apiKeys.id, table.apiKeyId))
    .where(and(eq(table.guildId, guildId), robloxId === undefined ? undefined : eq(idColumn, robloxId)))
    .orderBy(table.displayName);
  return rows.map((link) => ({ kind, ...link }));
}

/** Removes the link and the API key it used; false when there was no such link. */
export async function removeLink(db: Database, guildId: string, kind: LinkKind, robloxId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const removed =
      kind === "universe"
        ? await tx
            .delete(universeLinks)
            .where(and(eq(universeLinks.guildId, guildId), eq(universeLinks.universeId, robloxId)))
            .returning({ apiKeyId: universeLinks.apiKeyId })
        : await tx
            .delete(groupLinks)
            .where(and(eq(groupLinks.guildId, guildId), eq(groupLinks.groupId, robloxId)))
            .returning({ apiKeyId: groupLinks.apiKeyId });
    const [link] = removed;
    if (link === undefined) return false;
    await tx.delete(apiKeys).where(and(eq(apiKeys.guildId, guildId), eq(apiKeys.id, link.apiKeyId)));
    return true;
  });
}

/** A group link's stored rules as they are in the database; the join-review service validates them. */
export async function getGroupRules(db: Database, guildId: string, groupId: string): Promise<unknown> {
  const [row] = await db
    .select({ rules: groupLinks.rules })
    .from(groupLinks)
    .where(and(eq(groupLinks.guildId, guildId), eq(groupLinks.groupId, groupId)));
  return row?.rules;
}

export async function setGroupRules(db: Database, guildId: string, groupId: string, rules: object): Promise<void> {
  await db
    .update(groupLinks)
    .set({ rules })
    .where(and(eq(groupLinks.guildId, guildId), eq(groupLinks.groupId, groupId)));
}

/**
 * Every group link, with whose list budget its reads draw on (the key's owner,
 * or the key's fingerprint while the owner is unknown) and whether its guild
 * is on one of `shards`: the join-request reader reads those, and counts the
 * others towards their owner's budget. One query, re-run every few seconds.
 */
export async function listGroupLinksToRead(
  db: Database,
  shards: Shards,
): Promise<{ guildId: string; groupId: string; ownerId: string | null; fingerprint: string; mine: boolean }[]> {
  return db
    .select({
      guildId: groupLinks.guildId,
      groupId: groupLinks.groupId,
      ownerId: apiKeys.ownerId,
      fingerprint: apiKeys.fingerprint,
      mine: onShards(groupLinks.guildId, shards),
    })
    .from(groupLinks)
    .innerJoin(apiKeys, eq(apiKeys.id, groupLinks.apiKeyId))
    .orderBy(groupLinks.createdAt);
}

/** The linked groups of a shard's guilds (every guild's when undefined), oldest first: what the audit-log sync visits. */
export async function listAllGroupLinks(db: Database, shard: WorkScope["shard"]): Promise<{ guildId: string; groupId: string }[]> {
  return db
    .select({ guildId: groupLinks.guildId, groupId: groupLinks.groupId })
    .from(groupLinks)
    .where(inShard(groupLinks.guildId, shard))
    .orderBy(groupLinks.createdAt);
}

/** The linked experiences of a shard's guilds (every guild's when undefined), oldest first: what the outside-ban sync visits. */
export async function listAllUniverseLinks(db: Database, shard: WorkScope["shard"]): Promise<{ guildId: string; universeId: string }[]> {
  return db
    .select({ guildId: universeLinks.guildId, universeId: universeLinks.universeId })
    .from(universeLinks)
    .where(inShard(universeLinks.guildId, shard))
    .orderBy(universeLinks.createdAt);
}

/** How far the experience's restriction log was read; null when never. */
export async function getLogsSyncedUntil(db: Database, guildId: string, universeId: string): Promise<Date | null> {
  const [row] = await db
    .select({ until: universeLinks.logsSyncedUntil })
    .from(universeLinks)
    .where(and(eq(universeLinks.guildId, guildId), eq(universeLinks.universeId, universeId)));
  return row?.until ?? null;
}

export async function setLogsSyncedUntil(db: Database, guildId: string, universeId: string, until: Date): Promise<void> {
  await db
    .update(universeLinks)
    .set({ logsSyncedUntil: until })
    .where(and(eq(universeLinks.guildId, guildId), eq(universeLinks.universeId, universeId)));
}

/** A group's /setup ranks choices; null ids until set. */
export interface RankSettings {
  suspendedRoleId: string | null;
  maxRoleId: string | null;
}

export async function getRankSettings(db: Database, guildId: string, groupId: string): Promise<RankSettings | undefined> {
  const [row] = await db
    .select({ suspendedRoleId: groupLinks.suspendedRoleId, maxRoleId: groupLinks.maxRoleId })
    .from(groupLinks)
    .where(and(eq(groupLinks.guildId, guildId), eq(groupLinks.groupId, groupId)));
  return row;
}

/** False when the group is no longer linked. */
export async function setRankSettings(db: Database, guildId: string, groupId: string, settings: { suspendedRoleId: string; maxRoleId: string }): Promise<boolean> {
  const updated = await db
    .update(groupLinks)
    .set(settings)
    .where(and(eq(groupLinks.guildId, guildId), eq(groupLinks.groupId, groupId)))
    .returning({ groupId: groupLinks.groupId });
  return updated.length > 0;
}

/** Where the group's audit log was last read to, and whether Roblox last refused it to the key. */
export async function getAuditLogState(db: Database, guildId: string, groupId: string): Promise<{ syncedUntil: Date | null; refused: boolean } | undefined> {
  const [row] = await db
    .select({ syncedUntil: groupLinks.auditLogSyncedUntil, refused: groupLinks.auditLogRefused })
    .from(groupLinks)
    .where(and(eq(groupLinks.guildId, guildId), eq(groupLinks.groupId, groupId)));
  return row;
}

export async function setAuditLogState(db: Database, guildId: string, groupId: string, state: { syncedUntil?: Date; refused?: boolean }): Promise<void> {
  await db
    .update(groupLinks)
    .set({
      ...(state.syncedUntil === undefined ? {} : { auditLogSyncedUntil: state.syncedUntil }),
      ...(state.refused === undefined ? {} : { auditLogRefused: state.refused }),
    })
    .where(and(eq(groupLinks.guildId, guildId), eq(groupLinks.groupId, groupId)));
}
