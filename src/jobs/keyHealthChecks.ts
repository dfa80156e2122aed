import type { Logger } from "../log.js";
import { checkApiKeys, type KeyHealthDeps } from "../services/keyHealth.js";
import type { Scheduler } from "./scheduler.js";

const QUEUE = "api-keys.check";

/** Checks every stored API key on a schedule, in one process at a time, whichever takes it. */
export async function scheduleKeyHealthChecks(
  scheduler: Scheduler,
  deps: KeyHealthDeps & { logger: Logger },
  options: { intervalSeconds: number },
): Promise<void> {
  await scheduler.every(QUEUE, options.intervalSeconds, async () => {
    const report = await checkApiKeys(deps);
    deps.logger.debug(report, "API keys checked");
  });
}
