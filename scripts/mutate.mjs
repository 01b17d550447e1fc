#!/usr/bin/env node
// Mutation check (not run in CI): applies each small deliberate bug of scripts/mutations.json,
// one at a time, to a copy of the working tree, runs the test files the entry names, and
// reports whether the tests caught it. A mutation that survives is a promise no test keeps.
//
//   node scripts/mutate.mjs                 every mutation (first a baseline run of their tests)
//   node scripts/mutate.mjs l1-sign ...     only these ids
//   node scripts/mutate.mjs --check         only validate the list (each `find` occurs once)
//   options: --no-baseline, --markdown FILE (also write the table there), --keep (keep the copy),
//            --timeout SECONDS (per run, default 300)
//
// Each entry: {id, description, file, find, replace, tests: [path substrings for
// scripts/run-tests.mjs], build?: true (rebuild dist/ in the copy, for tests that run it)}.
// `find` must occur exactly once in `file`, or the script stops before running anything, so
// the list fails loudly instead of rotting when the code moves.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return false;
  args.splice(i, 1);
  return true;
};
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = args[i + 1];
  if (value === undefined) fail(`${name} needs a value`);
  args.splice(i, 2);
  return value;
};
function fail(message) {
  console.error(`mutate: ${message}`);
  process.exit(2);
}

const checkOnly = flag("--check");
const noBaseline = flag("--no-baseline");
const keep = flag("--keep");
const markdownFile = option("--markdown", undefined);
const timeoutMs = Number(option("--timeout", "300")) * 1000;
const only = args;

const listPath = join(root, "scripts", "mutations.json");
const all = JSON.parse(readFileSync(listPath, "utf8"));
const problems = validate(all);
if (problems.length > 0) fail(`${relative(root, listPath)} is out of date:\n  ${problems.join("\n  ")}`);
const unknown = only.filter((id) => !all.some((m) => m.id === id));
if (unknown.length > 0) fail(`unknown mutation ids: ${unknown.join(", ")}`);
const selected = only.length > 0 ? all.filter((m) => only.includes(m.id)) : all;
if (checkOnly) {
  console.log(`${all.length} mutations, each find occurs exactly once.`);
  process.exit(0);
}

function validate(list) {
  const out = [];
  const ids = new Set();
  if (!Array.isArray(list)) return ["the list is not an array"];
  for (const [i, m] of list.entries()) {
    const name = m?.id ?? `entry ${i}`;
    for (const key of ["id", "description", "file", "find", "replace"]) {
      if (typeof m?.[key] !== "string") out.push(`${name}: "${key}" must be a string`);
    }
    if (!Array.isArray(m?.tests) || m.tests.length === 0) out.push(`${name}: "tests" must list test files`);
    if (ids.has(m.id)) out.push(`${name}: duplicate id`);
    ids.add(m.id);
    if (typeof m?.file !== "string" || typeof m?.find !== "string") continue;
    if (m.find === m.replace) out.push(`${name}: replace equals find`);
    const path = join(root, m.file);
    if (!existsSync(path)) {
      out.push(`${name}: ${m.file} does not exist`);
      continue;
    }
    const n = readFileSync(path, "utf8").split(m.find).length - 1;
    if (n !== 1) out.push(`${name}: find occurs ${n} times in ${m.file} (must be exactly once)`);
    for (const t of m.tests ?? []) {
      if (!existsSync(join(root, t)) && !testFiles().some((f) => f.includes(t)))
        out.push(`${name}: no test file matches "${t}"`);
    }
  }
  return out;
}

function testFiles() {
  const r = spawnSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "test"], {
    cwd: root,
    encoding: "utf8",
  });
  return r.stdout.split("\n").filter((f) => f.endsWith(".test.ts"));
}

// The copy: the working tree as it is (uncommitted changes included), node_modules linked.
const copy = mkdtempSync(join(tmpdir(), "brook-mutate-"));
const SKIP = new Set(["node_modules", ".git", "data"]);
cpSync(root, copy, {
  recursive: true,
  filter: (src) => {
    const rel = relative(root, src);
    return rel === "" || !SKIP.has(rel.split("/")[0]);
  },
});
symlinkSync(join(root, "node_modules"), join(copy, "node_modules"), "dir");
const cleanup = () => {
  if (!keep) rmSync(copy, { recursive: true, force: true });
};
process.on("SIGINT", () => {
  cleanup();
  process.exit(130);
});

// The tests run as they do in CI: one worker unless a test file asks for more itself.
const childEnv = { ...process.env };
delete childEnv.BROOK_TEST_WORKERS;

function runTests(tests, logName) {
  const started = Date.now();
  const r = spawnSync(process.execPath, ["scripts/run-tests.mjs", ...tests], {
    cwd: copy,
    encoding: "utf8",
    timeout: timeoutMs,
    killSignal: "SIGKILL",
    maxBuffer: 256 * 1024 * 1024,
    env: childEnv,
  });
  const seconds = (Date.now() - started) / 1000;
  writeFileSync(join(copy, `${logName}.log`), `${r.stdout ?? ""}\n${r.stderr ?? ""}`);
  const timedOut = r.error?.code === "ETIMEDOUT" || r.signal === "SIGKILL";
  return { ok: r.status === 0, timedOut, seconds, failures: failedTests(r.stdout ?? "") };
}

/** Names of the failing tests in node:test's TAP output (the innermost "not ok" lines). */
function failedTests(tap) {
  return [...tap.matchAll(/^ {4,}not ok \d+ - (.*)$/gm)].map((m) => m[1]).slice(0, 3);
}

function build() {
  const r = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
    cwd: copy,
    encoding: "utf8",
  });
  return r.status === 0;
}

if (!noBaseline) {
  const tests = [...new Set(selected.flatMap((m) => m.tests))];
  process.stdout.write(`baseline: ${tests.join(" ")} ... `);
  const base = runTests(tests, "baseline");
  console.log(`${base.ok ? "green" : "FAILED"} (${base.seconds.toFixed(1)} s)`);
  if (!base.ok) {
    console.error(`the unmutated tests fail; see ${join(copy, "baseline.log")}`);
    process.exit(1);
  }
}

const rows = [];
for (const m of selected) {
  const path = join(copy, m.file);
  const original = readFileSync(path, "utf8");
  writeFileSync(path, original.replace(m.find, m.replace));
  process.stdout.write(`${m.id} ... `);
  let result;
  try {
    if (m.build && !build()) result = { ok: false, timedOut: false, seconds: 0, failures: ["build failed"] };
    else result = runTests(m.tests, m.id);
  } finally {
    writeFileSync(path, original);
  }
  const verdict = result.timedOut ? "caught (timeout)" : result.ok ? "SURVIVED" : "caught";
  console.log(
    `${verdict} (${result.seconds.toFixed(1)} s)${result.failures.length ? ` by: ${result.failures[0]}` : ""}`,
  );
  rows.push({ m, verdict, seconds: result.seconds, by: result.failures[0] ?? "" });
}
if (selected.some((m) => m.build)) build(); // dist/ back to the unmutated code

const cell = (s) => String(s).replaceAll("|", "\\|").replaceAll("\n", " ");
const table = [
  "| mutation | file | tests | result | seconds |",
  "| --- | --- | --- | --- | ---: |",
  ...rows.map(
    ({ m, verdict, seconds }) =>
      `| \`${m.id}\`: ${cell(m.description)} | \`${m.file}\` | ${m.tests.map((t) => `\`${t}\``).join(", ")} | ${verdict} | ${seconds.toFixed(1)} |`,
  ),
].join("\n");
const caught = rows.filter((r) => r.verdict !== "SURVIVED").length;
const summary = `${caught} of ${rows.length} mutations caught; survived: ${
  rows
    .filter((r) => r.verdict === "SURVIVED")
    .map((r) => r.m.id)
    .join(", ") || "none"
}.`;
console.log(`\n${table}\n\n${summary}`);
if (markdownFile) writeFileSync(markdownFile, `${table}\n\n${summary}\n`);
if (keep) console.log(`copy kept in ${copy} (one log per mutation)`);
cleanup();
