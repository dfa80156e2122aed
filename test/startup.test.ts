import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runEntryPoint } from "./support/compiledBot.js";
import { createTestDatabase, type TestDatabase } from "./support/testDatabase.js";

const TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB";

describe("start-up", () => {
  let cwd: string;
  let database: TestDatabase;
  beforeAll(async () => {
    cwd = mkdtempSync(path.join(tmpdir(), "warden-start-"));
    database = await createTestDatabase("postgres", { migrate: false });
  });
  afterAll(async () => {
    rmSync(cwd, { recursive: true, force: true });
    await database.destroy();
  });

  it("without DISCORD_TOKEN exits non-zero saying what to set and where to get it", async () => {
    const run = await runEntryPoint("src/main.ts", {}, cwd);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain("DISCORD_TOKEN");
    expect(run.output).toContain("https://discord.com/developers/applications");
    expect(run.output).not.toMatch(/\n\s+at /);
  });

  it("with a malformed DATABASE_URL names it, and never prints the token", async () => {
    const run = await runEntryPoint("src/main.ts", { DISCORD_TOKEN: TOKEN, DATABASE_URL: "localhost:5432/warden" }, cwd);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain("DATABASE_URL");
    expect(run.output).not.toContain(TOKEN.split(".")[0]);
  });

  it("refuses several shards on the embedded database and without ENCRYPTION_KEY, naming both", async () => {
    const run = await runEntryPoint("src/main.ts", { DISCORD_TOKEN: TOKEN, SHARD_COUNT: "2", SHARD_IDS: "1" }, cwd);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain("DATABASE_URL: required when SHARD_COUNT is above 1");
    expect(run.output).toContain("ENCRYPTION_KEY: required when SHARD_COUNT is above 1");
    expect(run.output).not.toMatch(/\n\s+at /);
  });

  it("migrates the embedded database in DATA_DIR before logging in, and explains an unreachable Discord", async () => {
    const dataDir = path.join(cwd, "embedded");
    const run = await runEntryPoint(
      "src/main.ts",
      { DISCORD_TOKEN: TOKEN, DATA_DIR: dataDir, DISCORD_API_URL: "http://127.0.0.1:9/api" },
      cwd,
    );
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('"database":"pglite"');
    expect(run.output).toContain("Could not log in to Discord at http://127.0.0.1:9/api");
    expect(run.output).toContain("set ENCRYPTION_KEY");
    expect(existsSync(path.join(dataDir, "pglite"))).toBe(true);
    expect(existsSync(path.join(dataDir, "encryption.key"))).toBe(true);
    for (const part of TOKEN.split(".")) expect(run.output).not.toContain(part);
  });

  it("db:migrate applies migrations to PostgreSQL, and a second run is a no-op", async () => {
    const env = { DATABASE_URL: database.url ?? "" };
    const first = await runEntryPoint("src/db/migrateCli.ts", env, cwd);
    expect(first).toMatchObject({ code: 0 });
    expect(first.output).toContain("Migrations applied (postgres)");
    const second = await runEntryPoint("src/db/migrateCli.ts", env, cwd);
    expect(second).toMatchObject({ code: 0 });
  });
});
