import { sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { WorkScope } from "../shards.js";

/** A WHERE condition keeping the rows of one shard's guilds (see src/shards.ts); undefined keeps every row. */
export function inShard(guildId: PgColumn, shard: WorkScope["shard"]): SQL | undefined {
  if (shard === undefined) return undefined;
  return sql`((${guildId}::bigint >> 22) % ${shard.count}) = ${shard.id}`;
}
