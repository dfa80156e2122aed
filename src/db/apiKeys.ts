import { and, eq, sql } from "drizzle-orm";
import type { ApiKeyCipher } from "./apiKeyCipher.js";
import type { WorkScope } from "../shards.js";
import type { Database } from "./connection.js";
import { apiKeys, groupLinks, guilds, universeLinks } from "./schema.js";
import { inShard } from "./shardFilter.js";

/** What may be shown about a stored key: everything but the key. */
export interface StoredApiKey {
  id: number;
  guildId: string;
  label: string;
  fingerprint: string;
  createdBy: string;
  createdAt: Date;
}

/**
 * Seals and stores a guild's API key under `label`, replacing the key a
 * label held before (re-running /setup with a new key rotates it in place).
 */
export async function storeApiKey(
  db: Database,
  cipher: ApiKeyCipher,
  input: { guildId: string; label: string; apiKey: string; ownerId?: string | null; createdBy: string },
): Promise<StoredApiKey> {
  const sealed = { ...cipher.seal(input.apiKey, input.guildId), ownerId: input.ownerId ?? null };
  return db.transaction(async (tx) => {
    await tx.insert(guilds).values({ id: input.guildId }).onConflictDoNothing();
    const [row] = await tx
      .insert(apiKeys)
      .values({ guildId: input.guildId, label: input.label, createdBy: input.createdBy, ...sealed })
      .onConflictDoUpdate({
        target: [apiKeys.guildId, apiKeys.label],
        set: { ...sealed, createdBy: input.createdBy, createdAt: new Date() },
      })
      .returning(shown);
    if (row === undefined) throw new Error("The API key upsert returned no row.");
    return row;
  });
}

/** A key as a call needs it: the plaintext, for the `x-api-key` header only, and whose budget it draws on. */
export interface RevealedApiKey {
  secret: string;
  /** Null for a key stored before owners were recorded, until its next health check. */
  ownerId: string | null;
}

/** Undefined when the guild has no such key. */
export async function revealApiKey(
  db: Database,
  cipher: ApiKeyCipher,
  guildId: string,
  apiKeyId: number,
): Promise<RevealedApiKey | undefined> {
  const [row] = await db
    .select({ ciphertext: apiKeys.ciphertext, nonce: apiKeys.nonce, ownerId: apiKeys.ownerId })
    .from(apiKeys)
    .where(and(eq(apiKeys.guildId, guildId), eq(apiKeys.id, apiKeyId)));
  return row === undefined ? undefined : { secret: cipher.open(row, guildId), ownerId: row.ownerId };
}

const shown = {
  id: apiKeys.id,
  guildId: apiKeys.guildId,
  label: apiKeys.label,
  fingerprint: apiKeys.fingerprint,
  createdBy: apiKeys.createdBy,
  createdAt: apiKeys.createdAt,
};

/** A stored key with what it is for: the health check's view. */
export interface LinkedKey {
  apiKeyId: number;
  guildId: string;
  kind: "universe" | "group";
  robloxId: string;
  displayName: string;
  problem: string | null;
}

/** The linked experiences and groups of a shard's guilds (every guild's when undefined) with their keys, oldest key first. */
export async function listLinkedKeys(db: Database, shard: WorkScope["shard"]): Promise<LinkedKey[]> {
  const key = { apiKeyId: apiKeys.id, guildId: apiKeys.guildId, problem: apiKeys.problem };
  const universes = await db
    .select({ ...key, robloxId: universeLinks.universeId, displayName: universeLinks.displayName })
    .from(universeLinks)
    .innerJoin(apiKeys, eq(apiKeys.id, universeLinks.apiKeyId))
    .where(inShard(apiKeys.guildId, shard));
  const groups = await db
    .select({ ...key, robloxId: groupLinks.groupId, displayName: groupLinks.displayName })
    .from(groupLinks)
    .innerJoin(apiKeys, eq(apiKeys.id, groupLinks.apiKeyId))
    .where(inShard(apiKeys.guildId, shard));
  return [
    ...universes.map((row) => ({ ...row, kind: "universe" as const })),
    ...groups.map((row) => ({ ...row, kind: "group" as const })),
  ].sort((a, b) => a.apiKeyId - b.apiKeyId);
}

/**
 * Records what a health check found: `problem` null when the key is fine, and
 * the owner when Roblox named one (a key stored before owners were recorded gets its owner here).
 */
export async function recordKeyCheck(db: Database, apiKeyId: number, check: { problem: string | null; ownerId: string | undefined }): Promise<void> {
  const owner = check.ownerId === undefined ? {} : { ownerId: check.ownerId };
  await db.update(apiKeys).set({ problem: check.problem, checkedAt: sql`now()`, ...owner }).where(eq(apiKeys.id, apiKeyId));
}
