import { Writable } from "node:stream";
import { DiscordAPIError, HTTPError } from "discord.js";
import { describe, expect, it } from "vitest";
import { createLogger, serializeError } from "../../src/log.js";

const TOKEN = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OmFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6";
const REASON = "private: the player's home address";
const API = "https://discord.com/api/v10";

function apiError(url: string): DiscordAPIError {
  return new DiscordAPIError({ code: 10062, message: "Unknown interaction" }, 10062, 404, "PATCH", url, {
    body: { content: `Case #1's reason is now: ${REASON}` },
    files: undefined,
  });
}

function captured(): { lines: string[]; sink: Writable } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  return { lines, sink };
}

describe("serializeError", () => {
  it("redacts the token in a webhook url and drops the request body, keeping what tells the failure apart", () => {
    const serialized = serializeError(apiError(`${API}/webhooks/123456789012345678/${TOKEN}/messages/@original`));
    const text = JSON.stringify(serialized);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(REASON);
    expect(serialized).toMatchObject({
      message: "Unknown interaction",
      code: 10062,
      status: 404,
      method: "PATCH",
      url: `${API}/webhooks/123456789012345678/[redacted]/messages/@original`,
    });
    expect(serialized).not.toHaveProperty("requestBody");
  });

  it("redacts an interaction callback's token in the url, in messages and in causes, at any depth", () => {
    const callback = `${API}/interactions/223456789012345678/${TOKEN}/callback?with_response=false`;
    const http = new HTTPError(503, "Service Unavailable", "POST", callback, { body: { data: { content: REASON } }, files: undefined });
    const wrapped = new Error(`could not answer ${callback}`, { cause: http });
    const text = JSON.stringify(serializeError(wrapped));
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(REASON);
    expect(text).toContain("/interactions/223456789012345678/[redacted]/callback?with_response=false");
    expect(text).toContain("Service Unavailable");
  });

  it("is what every logger and its children use for `err`", () => {
    const { lines, sink } = captured();
    const logger = createLogger("info", sink);
    const error = apiError(`${API}/webhooks/123456789012345678/${TOKEN}`);
    logger.error({ err: error }, "top level");
    logger.child({ component: "jobs" }).warn({ err: error }, "child");
    logger.error(error);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).not.toContain(TOKEN);
      expect(line).not.toContain(REASON);
      expect(line).toContain("Unknown interaction");
    }
  });
});
