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
      discordCdnUrl: "https://cdn.discordapp.com",
      openCloudUrl: "https://apis.roblox.com",
      robloxUsersUrl: "https://users.roblox.com",
      robloxThumbnailsUrl: "https://thumbnails.roblox.com",
      httpPort: undefined,
      appeals: { missing: ["HTTP_PORT", "PUBLIC_URL", "ROBLOX_OAUTH_CLIENT_ID", "ROBLOX_OAUTH_CLIENT_SECRET"] },
      logLevel: "info",
      shards: { count: 1, ids: [0] },
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

  it("turns appeals on only with a web server players reach and a Roblox OAuth app", () => {
    const env = {
      DISCORD_TOKEN: TOKEN,
      HTTP_PORT: "8080",
      PUBLIC_URL: "https://warden.example.org/",
      ROBLOX_OAUTH_CLIENT_ID: "3141592653589793238",
      ROBLOX_OAUTH_CLIENT_SECRET: "RBX-secret",
    };
    expect(loadConfig(env, { requireDiscordToken: true }).appeals).toEqual({
      publicUrl: "https://warden.example.org",
      oauthClientId: "3141592653589793238",
      oauthClientSecret: "RBX-secret",
      oauthUrl: "https://apis.roblox.com/oauth",
    });
    const withoutSecret = loadConfig({ ...env, ROBLOX_OAUTH_CLIENT_SECRET: "" }, { requireDiscordToken: true });
    expect(withoutSecret.appeals).toEqual({ missing: ["ROBLOX_OAUTH_CLIENT_SECRET"] });
    expect(problemsOf({ ...env, PUBLIC_URL: "warden.example.org" })).toEqual([expect.stringMatching(/^PUBLIC_URL: must be an http\(s\) URL/)]);
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

  describe("shards", () => {
    const sharded = { DISCORD_TOKEN: TOKEN, DATABASE_URL: "postgres://db/warden", ENCRYPTION_KEY: KEY };

    it("runs every shard of SHARD_COUNT when SHARD_IDS is unset", () => {
      expect(loadConfig({ ...sharded, SHARD_COUNT: "4" }, { requireDiscordToken: true }).shards).toEqual({ count: 4, ids: [0, 1, 2, 3] });
    });

    it.each([
      ["0", [0]],
      ["2", [2]],
      ["3,0", [0, 3]],
      ["1-3", [1, 2, 3]],
      ["0,2-3,2", [0, 2, 3]],
    ])("reads SHARD_IDS=%s as %j", (listed, ids) => {
      expect(loadConfig({ ...sharded, SHARD_COUNT: "4", SHARD_IDS: listed }, { requireDiscordToken: true }).shards).toEqual({
        count: 4,
        ids,
      });
    });

    it.each([
      [{ SHARD_COUNT: "0" }, /^SHARD_COUNT: must be .* from 1/],
      [{ SHARD_COUNT: "-2" }, /^SHARD_COUNT: must be/],
      [{ SHARD_COUNT: "two" }, /^SHARD_COUNT: must be/],
      [{ SHARD_COUNT: "4", SHARD_IDS: "4" }, /^SHARD_IDS: shard 4 does not exist with SHARD_COUNT=4 \(shards are numbered 0 to 3\)/],
      [{ SHARD_IDS: "1" }, /^SHARD_IDS: shard 1 does not exist with SHARD_COUNT=1 \(the only shard is 0\)/],
      [{ SHARD_COUNT: "4", SHARD_IDS: "3-1" }, /^SHARD_IDS: the range 3-1 runs backwards/],
      [{ SHARD_COUNT: "4", SHARD_IDS: "0;1" }, /^SHARD_IDS: must list the shards this process runs, e.g. 0, 0,2 or 0-3/],
      [{ SHARD_COUNT: "4", SHARD_IDS: "1,,2" }, /^SHARD_IDS: must list/],
    ])("refuses %j with a message naming the variable", (env, message) => {
      expect(problemsOf({ ...sharded, ...env })).toEqual([expect.stringMatching(message)]);
    });

    it("refuses more than one shard on the embedded database, naming DATABASE_URL", () => {
      expect(problemsOf({ DISCORD_TOKEN: TOKEN, ENCRYPTION_KEY: KEY, SHARD_COUNT: "2" })).toEqual([
        expect.stringMatching(/^DATABASE_URL: required when SHARD_COUNT is above 1/),
      ]);
    });

    it("refuses more than one shard without ENCRYPTION_KEY, naming it", () => {
      expect(problemsOf({ DISCORD_TOKEN: TOKEN, DATABASE_URL: "postgres://db/warden", SHARD_COUNT: "2" })).toEqual([
        expect.stringMatching(/^ENCRYPTION_KEY: required when SHARD_COUNT is above 1/),
      ]);
    });

    it("allows one shard on the embedded database with a generated key, as npm start runs", () => {
      expect(problemsOf({ DISCORD_TOKEN: TOKEN, SHARD_COUNT: "1", SHARD_IDS: "0" })).toEqual([]);
    });
  });
});
