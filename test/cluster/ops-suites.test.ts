/**
 * `--workers 2` passes the Open Inference Protocol and API polish suites too (their servers are
 * spawned as a 2-worker cluster by test/helpers/server.ts when BROOK_TEST_WORKERS is set).
 */
process.env.BROOK_TEST_WORKERS = "2";

await import("../server/oip.test.js");
await import("../server/api-polish.test.js");
