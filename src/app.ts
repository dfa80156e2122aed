import { DiscordAPIError, DiscordjsErrorCodes, Events, Status } from "discord.js";
import { commands, components } from "../commands/index.js";
import type { Config } from "./config.js";
import { createApiKeyCipher, type ApiKeyCipher } from "./db/apiKeyCipher.js";
import { countPendingCases } from "./db/cases.js";
import { openDatabase, type DatabaseHandle } from "./db/connection.js";
import { createSharedRateLedger } from "./db/sharedRateLedger.js";
import { holdsSealedData, verifyEncryptionKey } from "./db/encryptionCanary.js";
import { encryptionKeyFile, resolveEncryptionKey } from "./db/encryptionKey.js";
import { appealDeps, reviewDeps, type BotContext } from "./discord/botContext.js";
import { createAppealBoard } from "./discord/appealBoard.js";
import { createAppealNotifier } from "./services/appeals/postAppeals.js";
import type { AppealNotifier } from "./services/appeals/ports.js";
import { createButtonStores } from "./discord/buttonStores.js";
import { createBulkRunBoard } from "./discord/bulkRunBoard.js";
import { BulkRunner } from "./services/massModeration/bulkRun.js";
import { timeAcknowledgements } from "./discord/acknowledgements.js";
import { createDiscordClient } from "./discord/client.js";
import { SharedIdentifyThrottler } from "./discord/sharedIdentifyThrottler.js";
import { deployCommands } from "./discord/deployCommands.js";
import { createModLog } from "./discord/modLog.js";
import { createReviewBoard } from "./discord/reviewBoard.js";
import { createRouter, refuseWhileStopping } from "./discord/router.js";
import { startHttpEndpoints, type HttpEndpoints } from "./httpEndpoints.js";
import type { Logger } from "./log.js";
import { SuspensionRestoreTimers } from "./jobs/suspensionRestore.js";
import { startJobs, type JobOptions, type Jobs } from "./jobs/index.js";
import { watchingReads } from "./jobs/joinRequestReads.js";
import { createOpenCloud, type OpenCloudOptions } from "./opencloud/index.js";
import { newProcessId, startHeartbeat, type Heartbeat } from "./jobs/heartbeat.js";
import { PlayerSuggester } from "./services/moderation/suggestPlayers.js";
import { PlayerProfiles } from "./services/playerProfiles.js";
import type { SubmissionLimits } from "./services/appeals/submitAppeal.js";
import { StartupError } from "./startupError.js";
import { createAppealPages } from "./web/appealPages.js";

/** How long a stop waits for interactions being handled: inside Docker's 10 s before it kills. */
const STOP_GRACE_MS = 8_000;

export interface Warden {
  context: BotContext;
  /** What the appeal pages call once an appeal is stored: it is posted to its guild's appeals channel. */
  appealNotifier: AppealNotifier;
  stop(): Promise<void>;
}

/**
 * Opens the database (migrating it), then connects to Discord, registers
 * the commands and starts answering interactions. Resolves once ready.
 */
export interface WardenOptions {
  /** Retry pacing of the Open Cloud client; tests shrink it so a "Roblox is down" case settles in milliseconds. */
  openCloudRetry?: Pick<OpenCloudOptions, "backoffBaseMs" | "backoffMaxMs">;
  /** Plans Roblox's budgets in scaled time; tests set the scale their local Open Cloud enforces. */
  openCloudTimeScale?: number;
  /** Schedule of the background jobs; tests shorten it. */
  jobs?: JobOptions;
  /** How many appeals a player or an address may send; tests lower it. */
  appealLimits?: SubmissionLimits;
}

export async function startWarden(config: Config, logger: Logger, options: WardenOptions = {}): Promise<Warden> {
  if (config.discordToken === undefined) throw new StartupError("DISCORD_TOKEN is required to run the bot.");
  const database = await openDatabase(config);
  // On PostgreSQL several processes may share Roblox's budgets; the embedded database has one process.
  const sharesBudgets = database.kind === "postgres";
  let cipher: ApiKeyCipher;
  let encryptionKey: Buffer;
  try {
    ({ cipher, key: encryptionKey } = await prepareDatabase(database, config, logger));
  } catch (error) {
    // Nothing else is started yet: the database is all there is to close.
    await database.close();
    throw error;
  }

  let jobs: Jobs | undefined;
  // Collected only when served: prom-client is loaded lazily, so a bot without HTTP_PORT does not carry it.
  const served =
    config.httpPort === undefined
      ? undefined
      : {
          port: config.httpPort,
          // Figures of the whole database are served by one process of a deployment, shard 0's, not once per process.
          metrics: (await import("./metrics.js")).createMetrics(
            config.shards.ids.includes(0)
              ? { pendingCases: () => countPendingCases(database.db), queues: async () => (await jobs?.queueStats()) ?? [] }
              : undefined,
          ),
        };
  const metrics = served?.metrics;
  // Several processes may share one PostgreSQL; the embedded database is one process's alone.
  let identifyThrottler: SharedIdentifyThrottler | undefined;
  const client = createDiscordClient(config.discordApiUrl, {
    ...config.shards,
    identifyThrottler:
      database.kind === "postgres"
        ? async (manager) => {
            const { session_start_limit: limit } = await manager.fetchGatewayInformation();
            return (identifyThrottler = new SharedIdentifyThrottler(database.db, limit.max_concurrency));
          }
        : undefined,
  });
  const openCloud = createOpenCloud({
    openCloudUrl: config.openCloudUrl,
    usersUrl: config.robloxUsersUrl,
    thumbnailsUrl: config.robloxThumbnailsUrl,
    logger: logger.child({ component: "opencloud" }),
    // The join-request reads learn of a 429 or 5xx their calls met, even one a retry got through.
    observer: watchingReads(metrics?.openCloud),
    ...options.openCloudRetry,
    timeScale: options.openCloudTimeScale,
    sharedLedger: sharesBudgets ? createSharedRateLedger(database.db) : undefined,
  });
  const suspensionTimers = new SuspensionRestoreTimers(config.shards);
  const processId = newProcessId();
  const profiles = new PlayerProfiles(openCloud);
  const modLog = createModLog(client, database.db, profiles, logger);
  const bulkRunner = new BulkRunner({
    db: database.db,
    openCloud,
    cipher,
    profiles,
    processId,
    publisher: modLog,
    notices: modLog,
    logger: logger.child({ component: "mass-runs" }),
    board: createBulkRunBoard(client, database.db, logger),
  });
  const context: BotContext = {
    db: database.db,
    processId,
    openCloud,
    cipher,
    modLog,
    bulkRunner,
    discordCdnUrl: config.discordCdnUrl,
    logger,
    reviewBoard: createReviewBoard(client, database.db, metrics),
    appealBoard: createAppealBoard(client, logger),
    appealPage: "missing" in config.appeals ? { missing: config.appeals.missing } : { url: `${config.appeals.publicUrl}/appeal` },
    ...createButtonStores(database.db),
    profiles,
    playerSuggester: new PlayerSuggester(openCloud),
    suspensionTimers,
    metrics,
  };
  const appealNotifier = createAppealNotifier({ ...appealDeps(context), logger: logger.child({ component: "appeals" }) });
  if (metrics !== undefined) timeAcknowledgements(client, metrics.interactionAcknowledged);
  const route = createRouter(commands, components, context);
  // Interactions being handled, so that a stop lets them finish; none is started once it began.
  const handling = new Set<Promise<void>>();
  let stopping = false;
  client.on(Events.InteractionCreate, (interaction) => {
    const handled = stopping ? refuseWhileStopping(interaction) : route(interaction);
    const forget = () => handling.delete(handled);
    handling.add(handled);
    handled.then(forget, forget);
  });
  client.on(Events.Error, (error) => logger.error({ err: error }, "discord client error"));

  let endpoints: HttpEndpoints | undefined;
  let heartbeat: Heartbeat | undefined;
  let stopped: Promise<void> | undefined;
  // Once, however often it is asked (SIGINT then SIGTERM): the pool refuses a second end.
  const stop = () =>
    (stopped ??= (async () => {
      stopping = true;
      await endpoints?.close();
      // A ban on record gets Roblox's answer and its log entry; past the grace, what is left
      // pending is taken over by a live process, or at the next start.
      await settledWithin(handling, STOP_GRACE_MS);
      // Mass runs stop between two calls; a live process (or the next start) takes them over.
      await bulkRunner.stop();
      // Jobs first: a running poll still uses Discord and the database.
      await jobs?.stop();
      await heartbeat?.stop();
      identifyThrottler?.stop();
      await client.destroy();
      await openCloud.close();
      await database.close();
    })());
  try {
    if (served !== undefined) {
      // Up before Discord: while the bot connects, /healthz says what it is waiting for.
      endpoints = await startHttpEndpoints(served.port, {
        checks: {
          // One check per shard this process runs: a deployment's health pages say which shard is down.
          ...Object.fromEntries(
            config.shards.ids.map((shardId) => [
              config.shards.count === 1 ? "discord" : `discord shard ${shardId}`,
              async () => {
                if (client.ws.shards.get(shardId)?.status !== Status.Ready) throw new Error("not connected to the Discord gateway");
              },
            ]),
          ),
          database: async () => {
            await database.executeSql("SELECT 1").catch(() => {
              throw new Error(`not answering (${database.kind})`);
            });
          },
          queue: async () => {
            if (jobs === undefined) throw new Error("not started yet");
            if (!jobs.isRunning()) throw new Error("stopped");
          },
        },
        metrics: served.metrics.registry,
        appealPages:
          "missing" in config.appeals
            ? undefined
            : createAppealPages({
                db: database.db,
                openCloud,
                cipher,
                config: config.appeals,
                encryptionKey,
                logger: logger.child({ component: "appeals" }),
                notifier: appealNotifier,
                limits: options.appealLimits,
              }),
        // Owner ids and how often their groups are read: never a key.
        details: () => ({
          joinRequestReads: (jobs?.joinRequestReadIntervals() ?? []).map(({ budgetId, groups, intervalMs, backoffLevel }) => ({
            owner: budgetId,
            groups,
            intervalSeconds: intervalMs / 1_000,
            backedOff: backoffLevel > 0,
          })),
        }),
      });
      logger.info({ port: endpoints.port }, "serving /healthz and /metrics");
    }
    // Beating before any interaction arrives: a case this process records is never taken for a dead one's.
    heartbeat = await startHeartbeat(database.db, context.processId, logger.child({ component: "heartbeat" }), sharesBudgets);
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(config.discordToken);
    await ready;
    const application = await client.application?.fetch();
    if (application === undefined) throw new Error("Discord sent no application with READY.");
    // Once per deployment, not once per process: by the process that runs shard 0.
    const registers = config.shards.ids.includes(0);
    if (registers) await deployCommands(client.rest, application.id, commands, config.devGuildId);
    const botUserId = client.user?.id;
    if (botUserId === undefined) throw new Error("Discord sent no bot user with READY.");
    // Needs Discord (settled cases are published, cards edited), so it starts once connected.
    await heartbeat.takeOver(reviewDeps(context, botUserId), bulkRunner);
    jobs = await startJobs(
      {
        database,
        review: reviewDeps(context, botUserId),
        appealBoard: context.appealBoard,
        notices: context.modLog,
        logger: logger.child({ component: "jobs" }),
        shards: config.shards,
        timeScale: options.openCloudTimeScale ?? 1,
        suspensionTimers,
      },
      options.jobs,
    );
    logger.info(
      {
        user: client.user?.tag,
        guilds: client.guilds.cache.size,
        shards: config.shards.ids,
        shardCount: config.shards.count,
        commands: registers ? commands.length : 0,
        devGuildId: config.devGuildId,
      },
      registers ? "connected to Discord; commands registered" : "connected to Discord; commands are registered by shard 0's process",
    );
  } catch (error) {
    await stop();
    throw error instanceof StartupError ? error : explainLoginFailure(error, config.discordApiUrl);
  }
  return { context, appealNotifier, stop };
}

/** Migrates, then makes sure the encryption key opens what the database holds sealed. */
async function prepareDatabase(database: DatabaseHandle, config: Config, logger: Logger): Promise<{ cipher: ApiKeyCipher; key: Buffer }> {
  await database.migrate();
  logger.info({ database: database.kind }, "database ready");
  const key = await resolveEncryptionKey({
    configured: config.encryptionKey,
    dataDir: config.dataDir,
    holdsSealedData: () => holdsSealedData(database.db),
    warn: (message) => logger.warn(message),
  });
  const cipher = createApiKeyCipher(key);
  await verifyEncryptionKey(database.db, cipher, config.encryptionKey === undefined ? encryptionKeyFile(config.dataDir) : undefined);
  return { cipher, key };
}

async function settledWithin(promises: Iterable<Promise<unknown>>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled(promises), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function explainLoginFailure(error: unknown, apiUrl: string): Error {
  const rejected =
    (error instanceof Error && "code" in error && error.code === DiscordjsErrorCodes.TokenInvalid) ||
    (error instanceof DiscordAPIError && error.status === 401);
  if (rejected) {
    return new StartupError(
      "Discord rejected DISCORD_TOKEN. Copy a fresh token from https://discord.com/developers/applications -> your app -> Bot -> Reset Token.",
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new StartupError(`Could not log in to Discord at ${apiUrl} (DISCORD_API_URL): ${reason}`);
}
