import { existsSync } from "node:fs";
import { StartupError } from "./startupError.js";

/**
 * The shell around every entry point: reads `.env` when there is one, and
 * turns the failures a person can fix into one plain message and exit code 1.
 * Anything else is a bug and keeps its stack.
 */
export async function runCli(main: () => Promise<void>): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  try {
    await main();
  } catch (error) {
    if (error instanceof StartupError) {
      console.error(error.message);
    } else {
      console.error(error);
    }
    process.exitCode = 1;
  }
}
