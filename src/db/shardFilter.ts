import { sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { Shards, WorkScope } from "../shards.js";

/** A WHERE condition keeping the rows of one shard's guilds (see src/shards.ts); undefined keeps every row. */
export function inShard(guildId: PgColumn, shard: WorkScope["shard"]): SQL | undefined {
  if (shard === undefined) return undefined;
  return sql`((${guildId}::bigint >> 22) % ${shard.count}) = ${shard.id}`;
}

/** True for the rows of the guilds on any of these shards; a column to select, so rows of other shards can be told apart. */
export function onShards(guildId: PgColumn, shards: Shards): SQL<boolean> {
  if (shards.ids.length === shards.count) return sql<boolean>`true`;
  return sql<boolean>`((${guildId}::bigint >> 22) % ${shards.count}) IN (${sql.join(
    shards.ids.map((id) => sql`${id}`),
    sql`, `,
  )})`;
}
