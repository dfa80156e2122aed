import type { APIApplication, ApplicationFlags, RESTGetAPIGatewayBotResult } from "discord.js";
import type { RestServer } from "./rest.js";
import type { World } from "./state.js";

export interface SessionStartLimit {
  total: number;
  maxConcurrency: number;
  resetAfterMs: number;
  used: () => number;
}

/** The bot's own user and application, and where its gateway is (docs: resources/application.mdx, events/gateway.mdx "Get Gateway Bot"). */
export function registerApplicationRoutes(
  rest: RestServer,
  world: World,
  gateway: { url: () => string; shards: number; limit: SessionStartLimit },
): void {
  rest.route("GET", "/users/@me", () => ({
    status: 200,
    body: { ...world.userPayload(world.bot), verified: true, mfa_enabled: false, locale: world.bot.locale },
  }));

  rest.route("GET", "/applications/@me", () => {
    const application: APIApplication = {
      id: world.bot.id,
      name: world.bot.username,
      icon: null,
      description: "",
      bot_public: false,
      bot_require_code_grant: false,
      bot: world.userPayload(world.bot),
      summary: "",
      verify_key: "0".repeat(64),
      team: null,
      flags: 0 as ApplicationFlags,
      flags_new: "0",
      approximate_guild_count: world.guilds.size,
    };
    return { status: 200, body: application };
  });

  rest.route("GET", "/gateway", () => ({ status: 200, body: { url: gateway.url() } }));

  rest.route("GET", "/gateway/bot", () => {
    const body: RESTGetAPIGatewayBotResult = {
      url: gateway.url(),
      shards: gateway.shards,
      session_start_limit: {
        total: gateway.limit.total,
        remaining: Math.max(0, gateway.limit.total - gateway.limit.used()),
        reset_after: gateway.limit.resetAfterMs,
        max_concurrency: gateway.limit.maxConcurrency,
      },
    };
    return { status: 200, body };
  });
}
