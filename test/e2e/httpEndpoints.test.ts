import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWarden } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/log.js";
import { freePort, startPostgresServer, type PostgresServer } from "../support/postgresServer.js";
import { addExperienceWithKey, finishedRuns, linkThroughForm, memberId, replyTo, startStack, type Stack } from "./stack.js";
import { waitUntil } from "../support/waitUntil.js";

describe("the HTTP endpoints", () => {
  const KEY = `metrics-key-${"m".repeat(60)}`;
  let server: PostgresServer;
  let stack: Stack;
  let healthz: string;
  let metricsUrl: string;

  const probe = async () => {
    const response = await fetch(healthz);
    return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, string> } };
  };

  beforeAll(async () => {
    // A server of this test's own: it is stopped mid-test, which the suite's shared one must not be.
    server = await startPostgresServer();
    const port = await freePort();
    healthz = `http://127.0.0.1:${port}/healthz`;
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    // One scheduled job, which reads only the database, for the queue's figures.
    stack = await startStack(undefined, { postgresServerUrl: server.url, env: { HTTP_PORT: String(port) }, banExpirySeconds: 3_600 });
  });
  afterAll(async () => {
    await stack?.stop();
    server?.stop();
  });

  it("answers 200 while Discord, the database and the job queue all work", async () => {
    expect(await probe()).toEqual({ status: 200, body: { status: "ok", checks: { discord: "ok", database: "ok", queue: "ok" }, joinRequestReads: [] } });
  });

  it("serves metrics on interactions, Open Cloud requests and retries, pending cases and the job queue", async () => {
    stack.roblox.addUser({ id: "500", name: "MetricsOwner" });
    addExperienceWithKey(stack.roblox, { universeId: "5001", name: "Metrics Game", placeId: "5002", ownerId: "500", key: KEY });
    await linkThroughForm(stack, "experience", "5001", KEY);
    // Not granted anything: refused.
    await replyTo(stack, memberId(stack, "bob"), "lookup", undefined, { user: "MetricsOwner" });
    // Roblox failing every request: retried until the client gives up.
    stack.roblox.setFaults({ errorRate: 1 });
    try {
      await replyTo(stack, memberId(stack, "owner"), "lookup", undefined, { user: "MetricsOwner" });
    } finally {
      stack.roblox.setFaults({ errorRate: 0 });
    }

    // The hourly job has run once at start (beside the other queues' first runs): none of it waits now.
    await waitUntil(async () => (await finishedRuns(stack, "bans.expiry")) >= 1);
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    const value = (name: string, labels: Record<string, string> = {}) => sum(text, name, labels);
    expect(value("warden_interactions_total", { kind: "command", name: "setup experience", outcome: "ok" })).toBe(1);
    expect(value("warden_interactions_total", { kind: "command", name: "lookup", outcome: "refused" })).toBe(1);
    expect(value("warden_interactions_total", { kind: "command", name: "lookup", outcome: "failed" })).toBe(1);
    expect(value("warden_interactions_total", { kind: "component" })).toBe(1);
    // Every interaction answered, each within Discord's 3 s.
    const answered = value("warden_interactions_total");
    expect(value("warden_interaction_ack_seconds_count")).toBe(answered);
    expect(value("warden_interaction_ack_seconds_bucket", { le: "3" })).toBe(answered);
    expect(value("warden_opencloud_requests_total", { operation: "apiKeys.introspect", outcome: "200" })).toBe(1);
    const failed = value("warden_opencloud_requests_total", { outcome: "500" }) + value("warden_opencloud_requests_total", { outcome: "503" });
    expect(failed).toBeGreaterThanOrEqual(7);
    expect(value("warden_opencloud_retries_total")).toBe(failed - 1);
    expect(value("warden_cases_pending")).toBe(0);
    expect(text).toMatch(/^warden_queue_jobs\{queue="bans\.expiry",state="waiting"\} 0$/m);
    expect(text).toMatch(/^warden_queue_lag_seconds\{queue="bans\.expiry"\} 0$/m);
    expect(value("process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(text).not.toContain(KEY);
  });

  it("turns 503 naming the database while it is down, and 200 again once it is back", async () => {
    server.pause();
    try {
      expect(await probe()).toEqual({
        status: 503,
        body: { status: "unavailable", checks: { discord: "ok", database: "not answering (postgres)", queue: "ok" }, joinRequestReads: [] },
      });
      // Figures read from the database are not made up meanwhile.
      expect((await fetch(metricsUrl)).status).toBe(503);
    } finally {
      server.resume();
    }
    await waitUntil(async () => (await probe()).status === 200);
  });

  it("answers /appeal with a plain page saying appeals are not set up while a variable they need is missing", async () => {
    // HTTP_PORT is set; PUBLIC_URL and the OAuth app's id and secret are not.
    const response = await fetch(healthz.replace("/healthz", "/appeal/signin"));
    expect(response.status).toBe(404);
    expect(await response.text()).toBe("Ban appeals are not set up on this Warden.\n");
  });

  it("keeps a second bot from starting on the same port, saying so", async () => {
    const config = loadConfig(stack.env, { requireDiscordToken: true });
    await expect(startWarden(config, createLogger("silent"))).rejects.toThrow(`HTTP_PORT ${config.httpPort} is already in use`);
    expect((await probe()).status).toBe(200);
  });

  it("stops answering when the bot stops", async () => {
    await stack.warden.stop();
    await expect(fetch(healthz)).rejects.toThrow();
    await stack.restart();
    expect((await probe()).status).toBe(200);
  });
});


/** The sum of a metric's samples whose labels include `labels`, from Prometheus's text format. */
function sum(text: string, name: string, labels: Record<string, string>): number {
  let total = 0;
  for (const line of text.split("\n")) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.entries(labels).every(([key, wanted]) => found[key] === wanted)) total += Number(match[3]);
  }
  return total;
}
