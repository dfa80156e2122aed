import { afterEach, describe, expect, it } from "vitest";
import { Counter, Gauge, Registry } from "prom-client";
import { startHttpEndpoints, type Endpoints, type HttpEndpoints } from "../../src/httpEndpoints.js";
import { StartupError } from "../../src/startupError.js";
import { freePort } from "../support/postgresServer.js";

describe("the HTTP endpoints", () => {
  const servers: HttpEndpoints[] = [];
  const start = async (checks: Endpoints["checks"], metrics: Endpoints["metrics"] = new Registry()) => {
    const server = await startHttpEndpoints(await freePort(), { checks, metrics });
    servers.push(server);
    return `http://127.0.0.1:${server.port}`;
  };
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  it("names every failing part, including one that does not answer in time", async () => {
    const base = await start({
      fine: async () => undefined,
      broken: async () => {
        throw new Error("not connected");
      },
      stuck: () => new Promise<void>(() => undefined),
    });
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(503);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({
      status: "unavailable",
      checks: { fine: "ok", broken: "not connected", stuck: "no answer within 2 s" },
    });
  });

  it("answers HEAD for probes that read only the status, and nothing but /healthz and /metrics", async () => {
    const base = await start({ fine: async () => undefined });
    expect((await fetch(`${base}/healthz`, { method: "HEAD" })).status).toBe(200);
    expect((await fetch(`${base}/healthz?verbose=1`)).status).toBe(200);
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: "POST" })).status).toBe(405);
  });

  it("serves the registry in Prometheus's text format, or 503 when a figure cannot be read", async () => {
    const registry = new Registry();
    new Counter({ name: "probe_total", help: "probe", registers: [registry] }).inc(3);
    let databaseUp = true;
    new Gauge({
      name: "probe_from_database",
      help: "probe",
      registers: [registry],
      collect() {
        if (!databaseUp) throw new Error("connect ECONNREFUSED");
        this.set(1);
      },
    });
    const base = await start({}, registry);
    const scraped = await fetch(`${base}/metrics`);
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get("content-type")).toBe(registry.contentType);
    const text = await scraped.text();
    expect(text).toContain("probe_total 3");
    expect(text).toContain("probe_from_database 1");
    databaseUp = false;
    const refused = await fetch(`${base}/metrics`);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ error: "Some figures could not be read; /healthz says which part is down." });
  });

  it("refuses to start on a port already taken, saying which setting to change", async () => {
    const base = await start({});
    const taken = Number(new URL(base).port);
    const refused = startHttpEndpoints(taken, { checks: {}, metrics: new Registry() });
    await expect(refused).rejects.toBeInstanceOf(StartupError);
    await expect(refused).rejects.toThrow(`HTTP_PORT ${taken} is already in use`);
  });
});
