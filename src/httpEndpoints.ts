import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { StartupError } from "./startupError.js";

/** One part of the bot: resolves when it works, throws a short sentence saying what is wrong otherwise. */
export type HealthCheck = () => Promise<void>;

export interface HttpEndpoints {
  port: number;
  close(): Promise<void>;
}

export interface Endpoints {
  /** Each part `/healthz` reports on, by name. */
  checks: Record<string, HealthCheck>;
  /** What `/metrics` serves. */
  metrics: Pick<Registry, "metrics" | "contentType">;
  /** More of `/healthz`'s answer, beside the checks: what the process is doing now. */
  details?: () => Record<string, unknown>;
  /** Serves everything under `/appeal`; absent when appeals are not set up, and `/appeal` says so. */
  appealPages?: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
}

/** A part that has not answered by then is reported as failing: an orchestrator's probe must not hang on it. */
const CHECK_TIMEOUT_MS = 2_000;

/**
 * Serves, for orchestrators, uptime monitors and Prometheus: `GET /healthz`,
 * 200 when every check passes and 503 naming each part that fails (checks
 * run at the request, so the answer is about now), with the details beside
 * them, and `GET /metrics`; and for players, the ban appeal pages under
 * `/appeal` when appeals are set up.
 */
export async function startHttpEndpoints(port: number, endpoints: Endpoints): Promise<HttpEndpoints> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://warden").pathname;
    if (path === "/appeal" || path.startsWith("/appeal/")) {
      if (endpoints.appealPages !== undefined) return void endpoints.appealPages(request, response);
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
      return void response.end("Ban appeals are not set up on this Warden.\n");
    }
    if (path !== "/healthz" && path !== "/metrics") return answer(response, 404, { error: "Not found; Warden serves /healthz and /metrics." });
    if (request.method !== "GET" && request.method !== "HEAD") return answer(response, 405, { error: "Use GET." });
    if (path === "/metrics") {
      return void endpoints.metrics.metrics().then(
        (text) => {
          response.writeHead(200, { "content-type": endpoints.metrics.contentType, "cache-control": "no-store" });
          response.end(text);
        },
        // Some figures are read from the database at the scrape: better none than stale ones.
        () => answer(response, 503, { error: "Some figures could not be read; /healthz says which part is down." }),
      );
    }
    void runChecks(endpoints.checks).then((results) => {
      const healthy = Object.values(results).every((result) => result === "ok");
      answer(response, healthy ? 200 : 503, { status: healthy ? "ok" : "unavailable", checks: results, ...endpoints.details?.() });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new StartupError(`HTTP_PORT ${port} is already in use; choose another port or leave HTTP_PORT unset.`)
          : error,
      ),
    );
    server.listen(port, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function runChecks(checks: Record<string, HealthCheck>): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS);
      });
      try {
        await Promise.race([check(), timeout]);
        return [name, "ok"] as const;
      } catch (error) {
        return [name, error instanceof Error ? error.message : String(error)] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return Object.fromEntries(entries);
}

function answer(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  response.end(JSON.stringify(body));
}
