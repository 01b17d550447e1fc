/**
 * `--workers N` passes the same API suites as `--workers 1`: the suites start their servers
 * through test/helpers/server.ts, which spawns a 2-worker cluster when BROOK_TEST_WORKERS is set.
 */
process.env.BROOK_TEST_WORKERS = "2";

await import("../server/seed-routes.test.js");
await import("../server/api.test.js");
await import("../server/bad-input.test.js");
await import("../server/models-api.test.js");
await import("../server/tasks.test.js");
await import("../server/learn-stream.test.js");
await import("../server/guard.test.js");
await import("../server/live.test.js");
