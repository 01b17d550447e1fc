import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type CliRun, ROOT, runBrook } from "../helpers/process.js";
import { call, startTestServer, type TestServer } from "../helpers/server.js";
import { tempDir } from "../helpers/tmp.js";

/** Runs the CLI from source with `input` on its standard input. */
function withStdin(args: string[], input: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/main.ts"), ...args], {
      cwd: ROOT,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

const ENCODED =
  "(SelectType(number) | StandardScaler) + (SelectType(str) | OneHotEncoder) | LogisticRegression";
const CSV = 'color,size,"note, quoted",label\nred,1.5,a,1\nblue,2,b,0\nred,3,"c, d",1\ngreen,0.5,e,0\n';

describe("brook replay: sources, routes and outcomes", () => {
  let server: TestServer;
  let tmp: ReturnType<typeof tempDir>;
  const version = async (model: string) =>
    (await call(server.url, "GET", `/v1/models/${model}`)).body.version;
  const replay = (...args: string[]) => runBrook(["replay", ...args, "--url", server.url], {}, 30_000);

  before(async () => {
    tmp = tempDir();
    server = await startTestServer();
    for (const name of ["named", "encoded", "lines", "piped", "pipedjson"]) {
      const spec = name === "named" ? "StandardScaler | LogisticRegression" : ENCODED;
      assert.equal((await call(server.url, "PUT", `/v1/models/${name}`, { spec })).status, 201);
    }
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });

  it("--model sends to that model through /v1, with River's metric text in the progress and summary", async () => {
    const res = await replay("phishing", "--model", "named", "--limit", "300");
    assert.equal(res.code, 0, res.stderr);
    const m = /^300 rows replayed in [\d.]+ s \([\d,]+ rows\/s\), 0 failed\n(ROCAUC: \d+\.\d\d%)\n$/.exec(
      res.stdout,
    );
    assert.ok(m, res.stdout);
    // The last progress line shows the server's text, the same as the summary's.
    const last = res.stderr.trimEnd().split("\n").at(-1)!;
    assert.match(last, /^300\/300 \(100%\) [\d,]+ rows\/s ROCAUC: \d+\.\d\d%$/);
    assert.ok(last.endsWith(m[1]!), `${last} vs ${m[1]}`);
    assert.equal(await version("named"), 300);
    assert.equal(await version("default"), 0, "nothing went to the default model");
  });

  it("--bulk streams every row in one request, in order: River's final text, every row learned once", async () => {
    await call(server.url, "PUT", "/v1/models/bulk", { spec: "StandardScaler | LogisticRegression" });
    const res = await replay("phishing", "--model", "bulk", "--bulk");
    assert.equal(res.code, 0, res.stderr);
    assert.match(
      res.stdout,
      /^1250 rows replayed in [\d.]+ s \([\d,]+ rows\/s\), 0 failed\nROCAUC: 95\.07%\n$/,
    );
    assert.equal(await version("bulk"), 1250);
    const refused = await replay("phishing", "--bulk", "--delay-labels", "1");
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--bulk .* --delay-labels/);
  });

  it("the original route refuses a named model, clearly", async () => {
    const res = await replay("phishing", "--model", "named", "--route", "update_model");
    assert.equal(res.code, 2);
    assert.match(
      res.stderr,
      /^brook: --route update_model serves only the model "default" .*--model|model "named"/m,
    );
  });

  it("sends CSV text cells as strings: a model with encoders learns them, a numbers-only one refuses every row", async () => {
    const file = join(tmp.dir, "colors.csv");
    writeFileSync(file, CSV);
    const ok = await replay(file, "--model", "encoded", "--no-progress");
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^4 rows replayed .*, 0 failed\n/);
    assert.equal(await version("encoded"), 4);
    const state = (await call(server.url, "GET", "/v1/models/encoded/export")).text;
    assert.ok(
      state.includes("color_green") && state.includes("note, quoted_c, d"),
      "the strings reached the encoder",
    );

    const refused = await replay(file, "--model", "named", "--no-progress");
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /^4 rows replayed .*, 4 failed\n/);
    assert.match(
      refused.stderr,
      /^brook: every row failed \(4\); the first: x\.color is the string "red", but model "named" only takes numbers .*\(BROOK_INVALID_FEATURES\)$/m,
    );
  });

  it("a bundled dataset with text columns: every row failed is exit 1 with the first error", async () => {
    const res = await replay("airline_passengers", "--no-progress");
    assert.equal(res.code, 1);
    assert.match(res.stdout, /^144 rows replayed .*, 144 failed\n/);
    assert.match(
      res.stderr,
      /^brook: every row failed \(144\); the first: x\.month is the string "1949-01", but model "default" only takes numbers/m,
    );
  });

  it("reads JSON Lines: {x, y} lines and flat records, in the file's key order", async () => {
    const file = join(tmp.dir, "rows.jsonl");
    writeFileSync(
      file,
      [
        '{"x": {"color": "red", "size": 1.5}, "y": true}',
        "",
        '{"color": "blue", "size": 2, "y": false}',
        '{"size": 3, "color": "red", "y": 1}',
      ].join("\n"),
    );
    const res = await replay(file, "--model", "lines", "--no-progress");
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^3 rows replayed .*, 0 failed\n/);
    assert.equal(await version("lines"), 3);

    const bad = join(tmp.dir, "bad.jsonl");
    writeFileSync(bad, '{"x": {"a": 1}, "y": true}\n{"x": {"a": 1}, "y": tru}\n');
    const broken = await replay(bad, "--model", "lines", "--no-progress");
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /^brook: bad\.jsonl line 2 is not JSON/m);
    assert.equal(await version("lines"), 3, "nothing sent from a file that does not parse");
  });

  it("reads standard input with -, CSV or JSON Lines", async () => {
    const csv = await withStdin(
      ["replay", "-", "--model", "piped", "--url", server.url, "--no-progress"],
      CSV,
    );
    assert.equal(csv.code, 0, csv.stderr);
    assert.match(csv.stdout, /^4 rows replayed .*, 0 failed\n/);
    assert.equal(await version("piped"), 4);
    const jsonl = await withStdin(
      ["replay", "-", "--model", "pipedjson", "--target", "label", "--url", server.url, "--no-progress"],
      '{"color": "red", "label": true}\n{"color": "blue", "label": false}\n',
    );
    assert.equal(jsonl.code, 0, jsonl.stderr);
    assert.match(jsonl.stdout, /^2 rows replayed .*, 0 failed\n/);
    assert.equal(await version("pipedjson"), 2);
  });
});
