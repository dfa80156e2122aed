import type { IncomingHttpHeaders } from "node:http";
import { Agent, request } from "undici";
import { UnavailableError } from "./errors.js";
import type { OperationName } from "./operations.js";

export type HttpMethod = "GET" | "POST" | "PATCH";

export interface Exchange {
  operation: OperationName;
  method: HttpMethod;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

export interface ExchangeResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TransportOptions {
  timeoutMs: number;
  /** Concurrent connections per host; budgets, not sockets, are what pace bulk work. */
  connectionsPerOrigin: number;
}

/**
 * One HTTP exchange over a shared keep-alive agent. Never throws undici's
 * errors: they may describe the request, so only their code survives.
 */
export class Transport {
  private readonly agent: Agent;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: TransportOptions) {
    this.agent = new Agent({ connections: options.connectionsPerOrigin, keepAliveTimeout: 30_000 });
  }

  async send(exchange: Exchange): Promise<ExchangeResult> {
    const { operation } = exchange;
    if (this.closing) throw new UnavailableError({ operation, reason: "closed" });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    try {
      const response = await request(exchange.url, {
        dispatcher: this.agent,
        method: exchange.method,
        headers: exchange.headers,
        body: exchange.body,
        signal: controller.signal,
      });
      // The body is read inside the timeout: a server that stalls mid-body is as dead as one that never answers.
      const body = await response.body.text();
      return { status: response.statusCode, headers: response.headers, body };
    } catch (error) {
      if (controller.signal.aborted) throw new UnavailableError({ operation, reason: "timeout" });
      if (this.closing) throw new UnavailableError({ operation, reason: "closed" });
      throw new UnavailableError({ operation, reason: "network", networkCode: errorCode(error) });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Idempotent: shutdown paths often close twice. */
  close(): Promise<void> {
    this.closing ??= this.agent.close();
    return this.closing;
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") {
    return error.code;
  }
  return undefined;
}
