#!/usr/bin/env node
// Runs some test files N times in a row (not in CI) and counts the green runs: how flaky tests
// are found. `node scripts/repeat-tests.mjs 20 test/cluster test/crash` prints one line per run
// and, for a red one, the names of the failed tests; exit 1 if any run failed.
import { spawnSync } from "node:child_process";

const [times, ...paths] = process.argv.slice(2);
const n = Number(times);
if (!Number.isInteger(n) || n < 1 || paths.length === 0) {
  console.error("usage: node scripts/repeat-tests.mjs <times> <path-substring>...");
  process.exit(2);
}
const root = new URL("..", import.meta.url).pathname;
let green = 0;
for (let i = 1; i <= n; i++) {
  const started = Date.now();
  const r = spawnSync(process.execPath, ["scripts/run-tests.mjs", ...paths], { cwd: root, encoding: "utf8" });
  const out = `${r.stdout}${r.stderr}`;
  const failed = [...out.matchAll(/^\s*not ok \d+ - (.*)$/gm)].map((m) => m[1]);
  const ok = r.status === 0;
  if (ok) green++;
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`run ${i}/${n}: ${ok ? "green" : `RED (${failed.join("; ")})`} in ${secs} s`);
}
console.log(`${green} of ${n} runs green`);
process.exit(green === n ? 0 : 1);
