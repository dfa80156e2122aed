import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWarden } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/log.js";
import { freePort, startPostgresServer, type PostgresServer } from "../support/postgresServer.js";
import { startStack, type Stack } from "./stack.js";

describe("the health endpoint", () => {
  let server: PostgresServer;
  let stack: Stack;
  let healthz: string;

  const probe = async () => {
    const response = await fetch(healthz);
    return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, string> } };
  };

  beforeAll(async () => {
    // A server of this test's own: it is stopped mid-test, which the suite's shared one must not be.
    server = await startPostgresServer();
    const port = await freePort();
    healthz = `http://127.0.0.1:${port}/healthz`;
    stack = await startStack(undefined, { postgresServerUrl: server.url, env: { HTTP_PORT: String(port) } });
  });
  afterAll(async () => {
    await stack?.stop();
    server?.stop();
  });

  it("answers 200 while Discord, the database and the job queue all work", async () => {
    expect(await probe()).toEqual({ status: 200, body: { status: "ok", checks: { discord: "ok", database: "ok", queue: "ok" } } });
  });

  it("turns 503 naming the database while it is down, and 200 again once it is back", async () => {
    server.pause();
    try {
      expect(await probe()).toEqual({
        status: 503,
        body: { status: "unavailable", checks: { discord: "ok", database: "not answering (postgres)", queue: "ok" } },
      });
    } finally {
      server.resume();
    }
    await waitUntil(async () => (await probe()).status === 200);
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

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
