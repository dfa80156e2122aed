import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  PlayerUpdateLimitError,
  RateLimitedError,
  UnauthenticatedError,
  UnavailableError,
  UnexpectedResponseError,
  WriteNotAppliedError,
  describeErrorBody,
  errorFromResponse,
  errorFromRpcStatus,
  userMessage,
} from "../../src/opencloud/errors.js";

const KEY = "secret-key-AbC123";

const fail = (status: number, body: string, retryAfterMs?: number) =>
  errorFromResponse({ operation: "userRestrictions.update", status, body, retryAfterMs, secrets: [KEY] });

describe("describeErrorBody", () => {
  it("reads the v2 shape", () => {
    expect(describeErrorBody('{"code":"PERMISSION_DENIED","message":"no","details":[]}')).toEqual({
      robloxMessage: "no",
      robloxCode: "PERMISSION_DENIED",
    });
  });

  it("reads the gateway's legacy shape", () => {
    expect(describeErrorBody('{"errors":[{"code":0,"message":"Invalid API Key"}]}')).toEqual({
      robloxMessage: "Invalid API Key",
      robloxCode: "0",
    });
  });

  it("reads the v1 {error, message} shape", () => {
    expect(describeErrorBody('{"error":"INVALID_ARGUMENT","message":"bad"}')).toEqual({
      robloxMessage: "bad",
      robloxCode: "INVALID_ARGUMENT",
    });
  });

  it.each([
    "<html><body>503 Service Unavailable</body></html>",
    "",
    "null",
    "[]",
    '"text"',
    '{"errors":"nope"}',
    '{"errors":[]}',
    '{"code":{"nested":true}}',
  ])("never throws on an odd body: %j", (body) => {
    expect(() => describeErrorBody(body)).not.toThrow();
  });

  it("clips very long messages", () => {
    const message = "x".repeat(5_000);
    expect(describeErrorBody(JSON.stringify({ code: "INTERNAL", message })).robloxMessage?.length).toBeLessThan(400);
  });
});

describe("errorFromResponse", () => {
  it.each([
    [400, InvalidArgumentError],
    [401, UnauthenticatedError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [429, RateLimitedError],
    [500, UnavailableError],
    [502, UnavailableError],
    [503, UnavailableError],
    [504, UnavailableError],
    [501, UnexpectedResponseError],
    [418, UnexpectedResponseError],
  ])("maps %i by status", (status, kind) => {
    const error = fail(status, "<html>proxy</html>");
    expect(error).toBeInstanceOf(kind);
    expect(error.status).toBe(status);
    expect(error.operation).toBe("userRestrictions.update");
  });

  it("carries the wait of a 429", () => {
    const error = fail(429, '{"code":"RESOURCE_EXHAUSTED","message":"slow down"}', 1_500);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(1_500);
    expect(error.robloxMessage).toBe("slow down");
  });

  it("names the missing scope on 403", () => {
    const error = fail(403, '{"code":"PERMISSION_DENIED","message":"missing scope"}');
    expect((error as PermissionDeniedError).requiredScope).toBe("universe.user-restriction:write");
    expect(userMessage(error)).toContain("universe.user-restriction:write");
  });

  it("blanks out a key echoed by Roblox, everywhere the error can be seen", () => {
    const error = fail(401, JSON.stringify({ errors: [{ code: 0, message: `Invalid API Key ${KEY}` }] }));
    expect(error.robloxMessage).toBe("Invalid API Key [redacted]");
    for (const view of [error.message, String(error), JSON.stringify(error), inspect(error, { showHidden: true, depth: 10 })]) {
      expect(view).not.toContain(KEY);
    }
  });
});

describe("errorFromRpcStatus", () => {
  it.each([
    [3, InvalidArgumentError],
    [5, NotFoundError],
    [7, PermissionDeniedError],
    [16, UnauthenticatedError],
    [8, RateLimitedError],
    [14, UnavailableError],
    [2, UnexpectedResponseError],
  ])("maps gRPC code %i", (code, kind) => {
    expect(errorFromRpcStatus("users.generateThumbnail", code, "why")).toBeInstanceOf(kind);
  });
});

describe("userMessage", () => {
  const details = { operation: "userRestrictions.update" as const };

  it("tells a moderator how long to wait for a player's update budget", () => {
    const error = new PlayerUpdateLimitError({ ...details, retryAfterMs: 41_200 });
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(userMessage(error)).toMatch(/changed twice in the last minute\. Try again in 42 s\./);
  });

  it("blames the write scope when a write did not apply", () => {
    const error = new WriteNotAppliedError({ ...details, expected: "active=true", found: "active=false" });
    expect(userMessage(error)).toContain("`universe.user-restriction:write`");
  });

  it("says what to do for each kind, and never echoes internals", () => {
    const kinds = [
      new InvalidArgumentError({ ...details, status: 400, robloxMessage: "displayReason is longer than 400 characters." }),
      new UnauthenticatedError({ ...details, status: 401 }),
      new PermissionDeniedError({ ...details, status: 403 }),
      new NotFoundError({ ...details, status: 404 }),
      new ConflictError({ ...details, status: 409 }),
      new RateLimitedError({ ...details, status: 429, retryAfterMs: undefined }),
      new UnavailableError({ ...details, reason: "timeout" }),
      new UnavailableError({ ...details, status: 503, reason: "server" }),
      new UnavailableError({ ...details, reason: "closed" }),
      new UnexpectedResponseError({ ...details, status: 200, problem: "path: Invalid input" }),
    ];
    const messages = kinds.map(userMessage);
    expect(new Set(messages).size).toBe(kinds.length);
    for (const message of messages) {
      expect(message).toMatch(/\.$/);
      expect(message).not.toMatch(/HTTP|userRestrictions\.update|Invalid input/);
    }
    expect(messages[0]).toContain("displayReason is longer than 400 characters.");
    expect(messages[1]).toMatch(/expired/);
  });

  it("has a safe sentence for errors that are not Open Cloud's", () => {
    expect(userMessage(new TypeError("internal detail"))).not.toContain("internal detail");
  });
});
