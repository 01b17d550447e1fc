/**
 * A Redis node (`--store redis://...`, role all) passes the same API suites as the embedded
 * store: test/helpers/server.ts starts each suite's server as a Redis node, under a key prefix
 * of its own in the shared test Redis, when BROOK_TEST_REDIS is set.
 */
process.env.BROOK_TEST_REDIS = "1";

await import("../server/seed-routes.test.js");
await import("../server/api.test.js");
await import("../server/bad-input.test.js");
await import("../server/models-api.test.js");
await import("../server/tasks.test.js");
await import("../server/live.test.js");
await import("../server/learn-stream.test.js");
