import { defineConfig } from "vitest/config";

/**
 * Files that start several bot processes, fire dozens of interactions at once against Discord's
 * 3 s answer deadline or Roblox's real-time windows, or count whose call reached Roblox first: each
 * runs alone, after the rest, so another file's load never decides whether they pass.
 */
const ALONE = [
  "test/e2e/pacing.test.ts",
  "test/e2e/shards.test.ts",
  "test/e2e/crashRecovery.test.ts",
  "test/e2e/massBan.test.ts",
  "test/e2e/massBanResume.test.ts",
  "test/e2e/joinRequestDelay.test.ts",
  "test/e2e/process.test.ts",
  "test/opencloud/sharedBudget.test.ts",
];

export default defineConfig({
  test: {
    globalSetup: ["test/support/globalSetup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      // Most files wait on sockets and timers far more than they compute: two at a time on the
      // 2-core machines the suite runs on takes about 40 % off its length.
      { extends: true, test: { name: "shared", include: ["test/**/*.test.ts"], exclude: ALONE, maxWorkers: 2, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: "alone", include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
