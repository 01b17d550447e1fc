/**
 * docs/python.md runs: its Python blocks, against a real server, print what the comments say.
 * Skipped where Python or `requests` is missing.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ROOT } from "../helpers/process.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

const hasRequests = spawnSync("python3", ["-c", "import requests"]).status === 0;

function python(code: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", ["-"], { cwd: ROOT });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (c) => {
      clearTimeout(timer);
      resolve({ code: c, out });
    });
    child.stdin.end(code);
  });
}

describe("docs/python.md", { skip: !hasRequests && "no python3 with requests here" }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("predicts, learns with an event id, sends a late label, retries", async () => {
    const doc = readFileSync(join(ROOT, "docs/python.md"), "utf8");
    const blocks = [...doc.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]!);
    assert.equal(blocks.length, 2);
    const code = `${blocks.join("\n").replace('BROOK = "http://localhost:8080"', `BROOK = "${server.url}"`)}
r = learn("phishing", {"x": x, "y": True})
print("retried learn", r["version"], r["learned"], r["learned_now"])
print("original", requests.post(f"{BROOK}/predict", json={"x": x}).text)
`;
    const run = await python(code);
    assert.equal(run.code, 0, run.out);
    assert.deepEqual(run.out.trimEnd().split("\n"), [
      "False {'false': 0.5, 'true': 0.5}",
      "1 {'ROCAUC': 0}",
      "['ROCAUC: 50.00%']",
      "retried learn 3 3 1",
      "original False",
    ]);
  });
});
