import { AsyncLocalStorage } from "node:async_hooks";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { CallObserver } from "./opencloud/index.js";

/**
 * How an interaction ended: done; refused for lack of a grant; rejected as
 * bad input; failed for a reason the person was told (Roblox down, a
 * Discord permission); or an error, a bug, logged with a reference.
 */
export type InteractionOutcome = "ok" | "refused" | "rejected" | "failed" | "error";

export interface QueueStats {
  queue: string;
  /** Due or retrying jobs no worker has taken yet. */
  waiting: number;
  active: number;
  /** How long the oldest due job has waited; 0 when none waits. */
  lagSeconds: number;
}

/** Read at each scrape, from the database: a scrape while it is down fails rather than report stale figures. */
export interface MetricSources {
  /** Cases recorded whose Roblox call has not been settled yet. */
  pendingCases(): Promise<number>;
  queues(): Promise<QueueStats[]>;
}

export interface Metrics {
  registry: Registry;
  /** An interaction handled, with the Roblox requests it made (see countRobloxCalls). */
  interactionHandled(interaction: { kind: string; name: string; shard: number; outcome: InteractionOutcome; robloxCalls: number }): void;
  /** Runs an interaction's handling and counts the Open Cloud requests it causes on the wire, retries and 429s included. */
  countRobloxCalls<T>(handle: () => Promise<T>): Promise<{ result: T; robloxCalls: number }>;
  /** From the interaction's arrival to Discord accepting its first answer. */
  interactionAcknowledged(seconds: number): void;
  /** From a join request's createTime in Roblox to its card in the review channel. */
  joinRequestCarded(seconds: number): void;
  openCloud: CallObserver;
}

/** Discord drops an interaction not answered within 3 s: the buckets resolve that range. */
const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3];
/** Read every few seconds when the budget allows, up to minutes for an owner with hundreds of groups or a backlog. */
const CARD_DELAY_BUCKETS = [1, 2, 5, 10, 20, 30, 45, 60, 120, 300, 900];
const OPEN_CLOUD_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** A ban costs 3-4 requests, a lookup a few per linked experience; a paged listing or retries go further. */
const CALLS_PER_INTERACTION_BUCKETS = [0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 50, 100];

/** The series `/metrics` serves, in Prometheus's text format, with Node's process metrics. */
export function createMetrics(sources: MetricSources | undefined): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const interactions = new Counter({
    name: "warden_interactions_total",
    help: "Interactions handled, by kind (command, component, autocomplete), name, shard and outcome (ok, refused, rejected, failed, error).",
    labelNames: ["kind", "name", "shard", "outcome"] as const,
    registers,
  });
  const acknowledgements = new Histogram({
    name: "warden_interaction_ack_seconds",
    help: "Time from an interaction's arrival to Discord accepting its first answer (Discord's limit is 3 s).",
    buckets: ACK_BUCKETS,
    registers,
  });
  const cardDelays = new Histogram({
    name: "warden_join_request_card_delay_seconds",
    help: "Time from a join request's creation in Roblox to its card being posted to the review channel.",
    buckets: CARD_DELAY_BUCKETS,
    registers,
  });
  const requests = new Counter({
    name: "warden_opencloud_requests_total",
    help: "Open Cloud requests on the wire, by operation and outcome (HTTP status, or timeout / network / closed); 429s included.",
    labelNames: ["operation", "outcome"] as const,
    registers,
  });
  const requestSeconds = new Histogram({
    name: "warden_opencloud_request_seconds",
    help: "Open Cloud request duration on the wire, by operation.",
    labelNames: ["operation"] as const,
    buckets: OPEN_CLOUD_BUCKETS,
    registers,
  });
  const retries = new Counter({
    name: "warden_opencloud_retries_total",
    help: "Open Cloud requests retried, by operation and the outcome that caused the retry.",
    labelNames: ["operation", "outcome"] as const,
    registers,
  });
  const robloxCalls = new Histogram({
    name: "warden_interaction_roblox_calls",
    help: "Roblox requests on the wire per interaction handled (retries and 429s included), by kind, name and outcome as in warden_interactions_total.",
    labelNames: ["kind", "name", "outcome"] as const,
    buckets: CALLS_PER_INTERACTION_BUCKETS,
    registers,
  });
  // Per registry, not per module: two bots in one process (tests) count apart.
  const handling = new AsyncLocalStorage<{ robloxCalls: number }>();
  if (sources !== undefined) registerDatabaseGauges(registers, sources);

  return {
    registry,
    interactionHandled({ kind, name, shard, outcome, robloxCalls: calls }) {
      interactions.inc({ kind, name, shard: String(shard), outcome });
      robloxCalls.observe({ kind, name, outcome }, calls);
    },
    async countRobloxCalls(handle) {
      const counted = { robloxCalls: 0 };
      const result = await handling.run(counted, handle);
      return { result, robloxCalls: counted.robloxCalls };
    },
    interactionAcknowledged: (seconds) => acknowledgements.observe(seconds),
    joinRequestCarded: (seconds) => cardDelays.observe(seconds),
    openCloud: {
      attempted({ operation, outcome, seconds }) {
        const counted = handling.getStore();
        if (counted !== undefined) counted.robloxCalls += 1;
        requests.inc({ operation, outcome });
        requestSeconds.observe({ operation }, seconds);
      },
      retrying: ({ operation, outcome }) => retries.inc({ operation, outcome }),
    },
  };
}

/** Figures of the whole database: served by one process of a deployment, so a sum over processes counts them once. */
function registerDatabaseGauges(registers: Registry[], sources: MetricSources): void {
  // Both queue gauges are collected in one scrape, side by side: they share one read of the queues.
  let queuesRead: Promise<QueueStats[]> | undefined;
  const queues = () =>
    (queuesRead ??= sources.queues().finally(() => {
      queuesRead = undefined;
    }));
  new Gauge({
    name: "warden_cases_pending",
    help: "Cases recorded whose Roblox call has not been settled; a dead process's are taken over by a live one.",
    registers,
    async collect() {
      this.set(await sources.pendingCases());
    },
  });
  new Gauge({
    name: "warden_queue_jobs",
    help: "Scheduled jobs by queue and state (waiting, active).",
    labelNames: ["queue", "state"] as const,
    registers,
    async collect() {
      const stats = await queues();
      this.reset();
      for (const { queue, waiting, active } of stats) {
        this.set({ queue, state: "waiting" }, waiting);
        this.set({ queue, state: "active" }, active);
      }
    },
  });
  new Gauge({
    name: "warden_queue_lag_seconds",
    help: "How long the oldest due job of each queue has waited for a worker.",
    labelNames: ["queue"] as const,
    registers,
    async collect() {
      const stats = await queues();
      this.reset();
      for (const { queue, lagSeconds } of stats) this.set({ queue }, lagSeconds);
    },
  });
}
