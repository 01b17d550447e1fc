import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ROOT, runBrook } from "../helpers/process.js";
import { FIXTURES } from "../helpers/river.js";
import { call, startTestServer, type TestServer } from "../helpers/server.js";

describe("brook evaluate", () => {
  it("prints River's progressive_val_score lines exactly", async () => {
    const expected = readFileSync(join(FIXTURES, "progressive_val_score_print_every_200.txt"), "utf8");
    const res = await runBrook([
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
    const res = await runBrook(["evaluate", "phishing", "--model", "StandardScaler | LogisticRegresion"]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /unknown name "LogisticRegresion" \(did you mean LogisticRegression\?\)/);
    assert.doesNotMatch(res.stderr, /at .*\.ts:\d+/);
  });

  it("refuses a stream the model cannot take, naming the problem, instead of printing nan", async () => {
    const [regressor, strings, binary] = await Promise.all([
      runBrook(["evaluate", "phishing", "--model", "StandardScaler | LinearRegression"]),
      runBrook(["evaluate", "airline_passengers", "--model", "StandardScaler | LinearRegression"]),
      runBrook(["evaluate", "trump_approval", "--model", "LogisticRegression"]),
    ]);
    assert.equal(regressor.code, 2);
    assert.equal(regressor.stdout, "");
    assert.equal(
      regressor.stderr,
      'brook: phishing: the target "is_phishing" of row 1 must be a finite number for a regressor, got true, so "StandardScaler | LinearRegression" cannot learn from it (a regression model; use another --model or --target)\n',
    );
    assert.equal(strings.code, 2);
    assert.equal(strings.stdout, "");
    assert.match(
      strings.stderr,
      /^brook: airline_passengers: column "month" holds text \("1949-01" on row 1\), but "StandardScaler \| LinearRegression" takes only numbers: put an encoder first/,
    );
    assert.equal(binary.code, 2);
    assert.match(binary.stderr, /must be true\/false or 1\/0 for a binary classifier, got 43\.75505/);
    // The same stream, with the text column left out, is fine.
    const fixed = await runBrook([
      "evaluate",
      "airline_passengers",
      "--model",
      "Discard(month) | LinearRegression",
      "--print-every",
      "100",
    ]);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.match(fixed.stdout, /^\[100\] MAE: \d+\.\d+\n\[144\] MAE: \d+\.\d+\n$/);
  });

  it("rejects an unknown dataset", async () => {
    const res = await runBrook(["evaluate", "nosuchdata"]);
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
    const res = await runBrook(["replay", "phishing", "--url", server.url]);
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
    const res = await runBrook([
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
    const res = await runBrook(["replay", "phishing", "--url", "http://127.0.0.1:9", "--no-progress"]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /cannot reach Brook at http:\/\/127\.0\.0\.1:9 .*is "brook serve" running\?/);
  });

  it("rejects bad options", async () => {
    const res = await runBrook(["replay", "phishing", "--concurrency", "0"]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /--concurrency must be a positive integer/);
  });
});

describe("brook itself", () => {
  it("--version prints the package's version", async () => {
    const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
    const [long, short] = await Promise.all([runBrook(["--version"]), runBrook(["-V"])]);
    assert.equal(long.code, 0);
    assert.equal(long.stdout, `${version}\n`);
    assert.equal(short.stdout, `${version}\n`);
  });

  it("serve --help names each flag's value and shows its variable and default", async () => {
    const res = await runBrook(["serve", "--help"]);
    assert.equal(res.code, 0, res.stderr);
    // Help wraps at the terminal's width: read it as one line.
    const help = res.stdout.replace(/\s+/g, " ");
    for (const flag of [
      "--config <file>",
      "--port <port>",
      "--host <host>",
      "--model <spec>",
      "--data-dir <dir>",
      "--fsync <mode>",
      "--checkpoint-interval <seconds>",
      "--body-limit <bytes>",
      "--workers <n>",
      "--log-level <level>",
    ]) {
      assert.ok(help.includes(` ${flag} `), `${flag} in:\n${help}`);
    }
    assert.doesNotMatch(help, /<value>/);
    assert.match(help, / --port <port> TCP port \(env BROOK_PORT, default: 8080\) /);
    assert.match(help, / --data-dir <dir> [^-]+\(env BROOK_DATA_DIR, default: \.\/data\) /);
    assert.match(help, / --workers <n> .*?\(env BROOK_WORKERS, default: the number of cores, \d+ here\) /);
  });
});

describe("brook serve", () => {
  it("refuses to start with a bad model spec, naming the problem", async () => {
    const res = await runBrook(["serve", "--port", "0", "--store", "memory"], {
      BROOK_MODEL: "StandardScaler | Nope",
    });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /unknown name "Nope"/);
  });

  it("refuses a bad port, naming the variable", async () => {
    const res = await runBrook(["serve"], { BROOK_PORT: "eighty" });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /BROOK_PORT must be an integer/);
  });
});
