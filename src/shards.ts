/**
 * The Discord shards a process runs, of the deployment's total. Discord sends
 * a guild's events to shard `(guild_id >> 22) % count`; the same formula
 * decides which process does a guild's background work, so each guild's is
 * done by exactly one process, the one that also answers its interactions.
 */
export interface Shards {
  count: number;
  ids: number[];
}

/** One slice of background work: a shard's guilds, or every guild when this process runs them all. */
export interface WorkScope {
  /** Added to a queue's name, so that each slice has a queue of its own; empty for every guild. */
  queueSuffix: string;
  /** The one shard whose guilds this slice covers; undefined for every guild. */
  shard: { id: number; count: number } | undefined;
}

/** The slices this process works on: one per shard it runs, or a single one when it runs them all. */
export function workScopes(shards: Shards): WorkScope[] {
  if (shards.ids.length === shards.count) return [{ queueSuffix: "", shard: undefined }];
  return shards.ids.map((id) => ({ queueSuffix: `.shard-${id}-of-${shards.count}`, shard: { id, count: shards.count } }));
}

/** The slice of this process's work a guild belongs to: its shard's, or the single one. */
export function scopeOfGuild(shards: Shards, guildId: string): WorkScope {
  const scopes = workScopes(shards);
  const [single] = scopes;
  if (single !== undefined && single.shard === undefined) return single;
  // Discord's formula: the guild's shard is its id's timestamp bits modulo the shard count.
  const shardId = Number((BigInt(guildId) >> 22n) % BigInt(shards.count));
  const scope = scopes.find((candidate) => candidate.shard?.id === shardId);
  if (scope === undefined) throw new Error(`guild ${guildId} is on shard ${shardId}, which this process does not run`);
  return scope;
}
