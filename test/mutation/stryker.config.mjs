// @ts-check
/**
 * Mutation testing of the safety-critical modules (`npm run mutate`): custom
 * ids, the permission gate, player resolution, the rate budgets and the
 * encryption of API keys. Each mutant is run against the fast tests of
 * ./vitest.config.ts that cover it; a surviving mutant is a change to the code
 * that no test notices.
 * @type {import("@stryker-mutator/api/core").PartialStrykerOptions}
 */
export default {
  mutate: [
    "src/discord/customIds.ts",
    "src/discord/permissionGate.ts",
    // The grant lookup the gate decides with; the rest of the file is /staff's bookkeeping.
    "src/db/staffGrants.ts:18-45",
    "src/services/robloxIds.ts",
    "src/services/moderation/resolvePlayer.ts",
    "src/opencloud/rateBudget.ts",
    "src/opencloud/sharedSlots.ts",
    // The ledger as the client sees it; forgetIdleRateBuckets below it is housekeeping.
    "src/db/sharedRateLedger.ts:13-55",
    "src/db/apiKeyCipher.ts",
    "src/db/encryptionKey.ts",
  ],
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "test/mutation/vitest.config.ts" },
  coverageAnalysis: "perTest",
  // The machines have two cores, shared.
  concurrency: 2,
  reporters: ["clear-text", "progress", "html"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  thresholds: { high: 90, low: 80, break: null },
};
