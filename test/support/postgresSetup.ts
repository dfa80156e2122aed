import type { TestProject } from "vitest/node";
import { startPostgresServer } from "./postgresServer.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A server where each test file creates its own database. */
    postgresServerUrl: string;
  }
}

/** One PostgreSQL server for the whole run: TEST_DATABASE_URL when given, else a throwaway one. */
export default async function setup(project: TestProject) {
  const given = process.env.TEST_DATABASE_URL;
  if (given !== undefined && given !== "") {
    project.provide("postgresServerUrl", given);
    return;
  }
  const server = await startPostgresServer();
  project.provide("postgresServerUrl", server.url);
  return () => server.stop();
}
