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
