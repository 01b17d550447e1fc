#!/usr/bin/env node
// A longer run of the fuzz suite (test/security/fuzz.test.ts) than CI's: its properties share
// `--seconds N` (default 60) instead of a fixed number of runs. `--seed S` replays a failure
// fast-check reported.
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "60" }, seed: { type: "string" } },
});
const seconds = Number(values.seconds);
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error("--seconds must be a positive number");
  process.exit(2);
}
const env = { ...process.env, BROOK_TEST_FUZZ_SECONDS: String(seconds) };
if (values.seed !== undefined) env.BROOK_TEST_FUZZ_SEED = values.seed;
const root = new URL("..", import.meta.url).pathname;
const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    "--test-timeout",
    String((seconds + 120) * 1000),
    "test/security/fuzz.test.ts",
  ],
  { cwd: root, stdio: "inherit", env },
);
process.exit(result.status ?? 1);
