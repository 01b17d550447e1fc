import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FIXTURES } from "../helpers/river.js";
import { call, startTestServer, type TestServer } from "../helpers/server.js";

const ROOT = join(import.meta.dirname, "..", "..");

/** Runs the CLI from source; resolves with its exit code and output. */
function brook(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/main.ts"), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

describe("brook evaluate", () => {
  it("prints River's progressive_val_score lines exactly", async () => {
    const expected = readFileSync(join(FIXTURES, "progressive_val_score_print_every_200.txt"), "utf8");
    const res = await brook([
      "evaluate",
      "phishing",
      "--model",
      "StandardScaler | LogisticRegression",
      "--print-every",
      "200",
    ]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, expected);
  });

  it("rejects a bad spec with a clear message and exit code 2", async () => {
    const res = await brook(["evaluate", "phishing", "--model", "StandardScaler | LogisticRegresion"]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /unknown name "LogisticRegresion" \(did you mean LogisticRegression\?\)/);
    assert.doesNotMatch(res.stderr, /at .*\.ts:\d+/);
  });

  it("rejects an unknown dataset", async () => {
    const res = await brook(["evaluate", "nosuchdata"]);
    assert.equal(res.code, 2);
    assert.match(
      res.stderr,
      /neither a bundled dataset \(phishing, trump_approval, [a-z_, ]*\) nor a readable CSV file/,
    );
  });
});

describe("brook replay", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("replays Phishing through PUT /update_model and ends at River's ROCAUC: 95.07%", async () => {
    const res = await brook(["replay", "phishing", "--url", server.url]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(
      res.stdout,
      /^1250 rows replayed in [\d.]+ s \([\d,]+ rows\/s\), 0 failed\nROCAUC: 95\.07%\n$/,
    );
    // Not a TTY here: plain progress lines on stderr, about every 10 %.
    assert.match(res.stderr, /^125\/1250 \(10%\) [\d,]+ rows\/s ROCAUC: /m);
    assert.match(res.stderr, /^1250\/1250 \(100%\) [\d,]+ rows\/s ROCAUC: 95\.07%$/m);
    const info = await call(server.url, "GET", "/v1/models/default");
    assert.equal(info.body.version, 1250);
  });

  it("sends to the /v1 API with several requests in flight and loses none", async () => {
    const before_ = (await call(server.url, "GET", "/v1/models/default")).body.version;
    const res = await brook([
      "replay",
      "phishing",
      "--url",
      server.url,
      "--route",
      "v1",
      "--concurrency",
      "8",
      "--limit",
      "300",
      "--no-progress",
    ]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr, "");
    assert.match(res.stdout, /^300 rows replayed/);
    assert.equal((await call(server.url, "GET", "/v1/models/default")).body.version, before_ + 300);
  });

  it("says clearly when no server answers", async () => {
    const res = await brook(["replay", "phishing", "--url", "http://127.0.0.1:9", "--no-progress"]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /cannot reach Brook at http:\/\/127\.0\.0\.1:9 .*is "brook serve" running\?/);
  });

  it("rejects bad options", async () => {
    const res = await brook(["replay", "phishing", "--concurrency", "0"]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /--concurrency must be a positive integer/);
  });
});

describe("brook serve", () => {
  it("refuses to start with a bad model spec, naming the problem", async () => {
    const res = await brook(["serve", "--port", "0", "--store", "memory"], {
      BROOK_MODEL: "StandardScaler | Nope",
    });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /unknown name "Nope"/);
  });

  it("refuses a bad port, naming the variable", async () => {
    const res = await brook(["serve"], { BROOK_PORT: "eighty" });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /BROOK_PORT must be an integer/);
  });
});
