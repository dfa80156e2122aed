import { afterEach, describe, expect, it } from "vitest";
import { startHealthServer, type HealthServer } from "../../src/healthServer.js";
import { StartupError } from "../../src/startupError.js";
import { freePort } from "../support/postgresServer.js";

describe("the health server", () => {
  const servers: HealthServer[] = [];
  const start = async (checks: Parameters<typeof startHealthServer>[1]) => {
    const server = await startHealthServer(await freePort(), checks);
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

  it("answers HEAD for probes that read only the status, and nothing but /healthz", async () => {
    const base = await start({ fine: async () => undefined });
    expect((await fetch(`${base}/healthz`, { method: "HEAD" })).status).toBe(200);
    expect((await fetch(`${base}/healthz?verbose=1`)).status).toBe(200);
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: "POST" })).status).toBe(405);
  });

  it("refuses to start on a port already taken, saying which setting to change", async () => {
    const base = await start({});
    const taken = Number(new URL(base).port);
    const refused = startHealthServer(taken, {});
    await expect(refused).rejects.toBeInstanceOf(StartupError);
    await expect(refused).rejects.toThrow(`HTTP_PORT ${taken} is already in use`);
  });
});
