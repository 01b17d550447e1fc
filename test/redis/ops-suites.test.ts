/**
 * A Redis node passes the Open Inference Protocol, API polish, OpenAPI-answers, min_version and
 * late-label suites too (their servers are Redis nodes when BROOK_TEST_REDIS is set).
 */
process.env.BROOK_TEST_REDIS = "1";

await import("../server/oip.test.js");
await import("../server/api-polish.test.js");
await import("../server/openapi-responses.test.js");
await import("../server/min-version.test.js");
await import("../server/late-label-ttl.test.js");
await import("../server/targets.test.js");
