import type { Logger } from "../log.js";
import { announceExpiredBans, type BanExpiryDeps } from "../services/moderation/banExpiry.js";
import type { Scheduler } from "./scheduler.js";

const QUEUE = "bans.expiry";

/** Announces temporary bans that ran out, on a schedule, in one process at a time. */
export async function scheduleBanExpiryNotices(
  scheduler: Scheduler,
  deps: BanExpiryDeps & { logger: Logger },
  options: { intervalSeconds: number },
): Promise<void> {
  await scheduler.every(QUEUE, options.intervalSeconds, async () => {
    const announced = await announceExpiredBans(deps);
    if (announced > 0) deps.logger.info({ announced }, "expired bans announced");
  });
}
