import { defineConfig } from "vitest/config";

/**
 * The fast tests that guard the safety-critical modules, for `npm run mutate`:
 * Stryker reruns them for every mutant, so no e2e, no build, only the
 * PostgreSQL the few db tests need.
 */
export default defineConfig({
  test: {
    include: [
      "test/unit/customIds.test.ts",
      "test/unit/robloxIds.test.ts",
      "test/unit/apiKeyCipher.test.ts",
      "test/unit/encryptionKey.test.ts",
      "test/db/permissionGate.test.ts",
      "test/db/sharedRateLedger.test.ts",
      "test/services/resolvePlayer.test.ts",
      "test/opencloud/publicBudgets.test.ts",
      "test/opencloud/rateBudget.test.ts",
      "test/opencloud/sharedSlots.test.ts",
    ],
    globalSetup: ["test/support/postgresSetup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
