#!/usr/bin/env node
// Runs every test/**/*.test.ts with node:test through tsx. Node 20 does not find .ts test
// files by itself, so they are listed here; extra arguments filter by path substring.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const filters = process.argv.slice(2);
const files = readdirSync(join(root, "test"), { recursive: true })
  .map((f) => join("test", String(f)))
  .filter((f) => f.endsWith(".test.ts"))
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(" ")}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", ...files.map((f) => relative(root, join(root, f)))],
  { cwd: root, stdio: "inherit" },
);
process.exit(result.status ?? 1);
