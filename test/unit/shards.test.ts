import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scopeOfGuild } from "../../src/shards.js";

const snowflake = fc.bigInt({ min: 1n << 32n, max: (1n << 63n) - 1n }).map(String);

describe("scopeOfGuild", () => {
  it("is the single scope when the process runs every shard", () => {
    fc.assert(
      fc.property(snowflake, fc.integer({ min: 1, max: 16 }), (guildId, count) => {
        const ids = Array.from({ length: count }, (_, id) => id);
        expect(scopeOfGuild({ count, ids }, guildId)).toEqual({ queueSuffix: "", shard: undefined });
      }),
    );
  });

  it("is the guild's shard by Discord's formula, and refuses a guild of a shard the process does not run", () => {
    fc.assert(
      fc.property(snowflake, fc.integer({ min: 2, max: 16 }), (guildId, count) => {
        const shardId = Number((BigInt(guildId) >> 22n) % BigInt(count));
        expect(scopeOfGuild({ count, ids: [shardId] }, guildId)).toEqual({
          queueSuffix: `.shard-${shardId}-of-${count}`,
          shard: { id: shardId, count },
        });
        const others = Array.from({ length: count }, (_, id) => id).filter((id) => id !== shardId);
        expect(() => scopeOfGuild({ count, ids: others }, guildId)).toThrow(/which this process does not run/);
      }),
    );
  });
});
