import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

const TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB";
const KEY = Buffer.alloc(32, 7).toString("base64");

function problemsOf(env: NodeJS.ProcessEnv, requireDiscordToken = true): string[] {
  try {
    loadConfig(env, { requireDiscordToken });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const config = loadConfig({ DISCORD_TOKEN: TOKEN }, { requireDiscordToken: true });
    expect(config).toMatchObject({
      discordToken: TOKEN,
      databaseUrl: undefined,
      dataDir: "./data",
      encryptionKey: undefined,
      devGuildId: undefined,
      discordApiUrl: "https://discord.com/api",
      openCloudUrl: "https://apis.roblox.com",
      robloxUsersUrl: "https://users.roblox.com",
      robloxThumbnailsUrl: "https://thumbnails.roblox.com",
      httpPort: undefined,
      logLevel: "info",
    });
  });

  it("reads every variable", () => {
    const config = loadConfig(
      {
        DISCORD_TOKEN: TOKEN,
        DATABASE_URL: "postgresql://warden:secret@db:5432/warden",
        DATA_DIR: "/var/lib/warden",
        ENCRYPTION_KEY: KEY,
        DEV_GUILD_ID: "123456789012345678",
        DISCORD_API_URL: "http://127.0.0.1:3000/api",
        OPENCLOUD_URL: "http://127.0.0.1:3001",
        ROBLOX_USERS_URL: "http://127.0.0.1:3002",
        ROBLOX_THUMBNAILS_URL: "http://127.0.0.1:3003",
        HTTP_PORT: "8080",
        LOG_LEVEL: "debug",
      },
      { requireDiscordToken: true },
    );
    expect(config.encryptionKey).toEqual(Buffer.alloc(32, 7));
    expect(config).toMatchObject({ httpPort: 8080, logLevel: "debug", devGuildId: "123456789012345678" });
  });

  it("treats a blank value as unset", () => {
    const config = loadConfig({ DISCORD_TOKEN: TOKEN, DATABASE_URL: "", HTTP_PORT: " " }, { requireDiscordToken: true });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.httpPort).toBeUndefined();
  });

  it("names a missing DISCORD_TOKEN and where to get one, only when the bot needs it", () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/^DISCORD_TOKEN: required.*developers\/applications/)]);
    expect(problemsOf({}, false)).toEqual([]);
  });

  it("names every malformed variable at once", () => {
    const problems = problemsOf({
      DATABASE_URL: "mysql://localhost/db",
      ENCRYPTION_KEY: "too-short",
      DEV_GUILD_ID: "abc",
      OPENCLOUD_URL: "not a url",
      HTTP_PORT: "70000",
      LOG_LEVEL: "loud",
    });
    expect(problems.map((problem) => problem.split(":")[0])).toEqual([
      "DISCORD_TOKEN",
      "DATABASE_URL",
      "ENCRYPTION_KEY",
      "DEV_GUILD_ID",
      "OPENCLOUD_URL",
      "HTTP_PORT",
      "LOG_LEVEL",
    ]);
    expect(problems.find((problem) => problem.startsWith("ENCRYPTION_KEY"))).toContain("openssl rand -base64 32");
  });

  it("never repeats a bad token's value, not even partly", () => {
    const token = "Xq7pastedA.Zz9pastedB Kk3pastedC";
    const problems = problemsOf({ DISCORD_TOKEN: token });
    expect(problems).toHaveLength(1);
    const message = problems.join("\n");
    for (const piece of token.split(/[ .]/)) expect(message).not.toContain(piece);
  });

  it("rejects an ENCRYPTION_KEY of the wrong length", () => {
    const problems = problemsOf({ DISCORD_TOKEN: TOKEN, ENCRYPTION_KEY: Buffer.alloc(16).toString("base64") });
    expect(problems).toEqual([expect.stringMatching(/^ENCRYPTION_KEY: must be 32 random bytes/)]);
  });
});
