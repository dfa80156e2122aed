import { execFileSync, spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../..", import.meta.url));

/** Compiles the bot as `npm start` does (`npm run build`); a no-op when the build is up to date. */
export function buildBot(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-b", "tsconfig.build.json"], { cwd: repo, stdio: "inherit" });
}

/** The compiled file of an entry point named by its source path, e.g. `src/main.ts`. */
export function compiledEntryPoint(source: string): string {
  return path.join(repo, "dist", source.replace(/\.ts$/, ".js"));
}

/** Runs a compiled entry point to its end, as `npm start` would, from `cwd` with only `env`: its exit code and all it printed. */
export function runEntryPoint(source: string, env: Record<string, string>, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [compiledEntryPoint(source)], { cwd, env: { PATH: process.env.PATH ?? "", ...env } });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

/** The bot as `npm start` runs it, in a process of its own that a test can kill; quiet but for warnings. */
export function spawnBot(env: Record<string, string>, cwd: string) {
  const bot = spawn(process.execPath, [compiledEntryPoint("src/main.ts")], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env, LOG_LEVEL: "warn" },
    stdio: "ignore",
  });
  const exited = new Promise<void>((resolve) => bot.once("exit", () => resolve()));
  return { bot, exited };
}
