import type { TestProject } from "vitest/node";
import { buildBot } from "./compiledBot.js";
import providePostgresServer from "./postgresSetup.js";

/** The whole suite's setup: the compiled build, and one PostgreSQL server. */
export default async function setup(project: TestProject) {
  // Tests that start the bot as a process run what users run: the compiled build.
  buildBot();
  return providePostgresServer(project);
}
