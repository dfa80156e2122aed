import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compiledEntryPoint, runEntryPoint } from "../support/compiledBot.js";
import { commands } from "../../commands/index.js";
import { startDiscordEmulator, type DiscordEmulator } from "../emulators/discord/index.js";

describe("npm start against the local Discord", () => {
  let discord: DiscordEmulator;
  let dataDir: string;
  beforeAll(async () => {
    discord = await startDiscordEmulator({ guilds: [{ name: "Process Test" }] });
    dataDir = mkdtempSync(path.join(tmpdir(), "warden-process-"));
  });
  afterAll(async () => {
    await discord.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("connects on the embedded database, registers the commands, and stops cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, [compiledEntryPoint("src/main.ts")], {
      cwd: dataDir,
      env: { PATH: process.env.PATH ?? "", DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl, DATA_DIR: dataDir },
    });
    let output = "";
    const registered = new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("commands registered")) resolve();
      });
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.once("exit", (code) => reject(new Error(`exited with ${code} before registering:\n${output}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

    await registered;
    expect(discord.registeredCommands().map((command) => command.name)).toEqual(
      commands.map((command) => command.definition.name),
    );
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).not.toContain(discord.token);
  });

  it("then refuses to start on that database without its key: neither a lost key file nor another ENCRYPTION_KEY", async () => {
    const env = { DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl, DATA_DIR: dataDir };
    const keyFile = path.join(dataDir, "encryption.key");
    const sessions = discord.gatewaySessions().length;
    rmSync(keyFile);
    const lost = await runEntryPoint("src/main.ts", env, dataDir);
    expect(lost.code).not.toBe(0);
    expect(lost.output).toContain("ENCRYPTION_KEY is not set");
    expect(lost.output).toContain("put ");
    expect(lost.output).not.toMatch(/\n\s+at /);
    expect(existsSync(keyFile)).toBe(false);

    const other = await runEntryPoint("src/main.ts", { ...env, ENCRYPTION_KEY: randomBytes(32).toString("base64") }, dataDir);
    expect(other.code).not.toBe(0);
    expect(other.output).toContain("Set ENCRYPTION_KEY to the original key");
    expect(other.output).not.toMatch(/\n\s+at /);
    // Stopped before connecting to Discord.
    expect(discord.gatewaySessions()).toHaveLength(sessions);
  }, 120_000);
});
