// `npm run bench [name ...]`: runs the named benchmarks (all by default) and prints their figures.
// Never part of `npm test`: timings belong here, not in assertions.
import * as bulkBan from "./bulkBan.js";
import * as dbHotPath from "./dbHotPath.js";
import * as interactionAck from "./interactionAck.js";
import * as joinDecisions from "./joinDecisions.js";
import * as joinRequestDelay from "./joinRequestDelay.js";
import * as massBan from "./massBan.js";
import * as roundTrips from "./roundTrips.js";
import * as sharedBudget from "./sharedBudget.js";

const benchmarks: Record<string, { run(): Promise<void> }> = {
  dbHotPath,
  bulkBan,
  massBan,
  interactionAck,
  joinDecisions,
  joinRequestDelay,
  roundTrips,
  sharedBudget,
};

const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(", ")}. Known: ${Object.keys(benchmarks).join(", ")}`);
  process.exit(2);
}
for (const [name, benchmark] of Object.entries(benchmarks)) {
  if (chosen.length === 0 || chosen.includes(name)) await benchmark.run();
}
