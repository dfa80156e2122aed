/** Discord's epoch, the first second of 2015 (docs: reference.mdx, "Snowflakes"). */
const DISCORD_EPOCH = 1_420_070_400_000n;

/**
 * Mints ids laid out like Discord's: 42 bits of milliseconds since the Discord
 * epoch, 5 bits worker, 5 bits process, 12 bits increment. @discordjs/rest keys
 * rate-limit buckets on ids and discord.js derives `createdAt` from them, so
 * they must be real, ordered, timestamp-based snowflakes.
 */
export class SnowflakeGenerator {
  private lastMs = 0n;
  private increment = 0n;

  constructor(
    private readonly workerId = 1n,
    private readonly processId = 0n,
  ) {}

  next(now: number = Date.now()): string {
    let ms = BigInt(now) - DISCORD_EPOCH;
    // Ids must keep increasing even if the clock stalls or 4096 ids are minted in one millisecond.
    if (ms <= this.lastMs) {
      ms = this.lastMs;
      this.increment += 1n;
      if (this.increment > 0xfffn) {
        ms += 1n;
        this.increment = 0n;
      }
    } else {
      this.increment = 0n;
    }
    this.lastMs = ms;
    return ((ms << 22n) | (this.workerId << 17n) | (this.processId << 12n) | this.increment).toString();
  }
}
