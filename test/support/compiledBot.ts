import { execFileSync } from "node:child_process";
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
