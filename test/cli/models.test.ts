import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadStream } from "../../src/data/datasets.js";
import { freePort, ROOT, runBrook } from "../helpers/process.js";
import { FIXTURES } from "../helpers/river.js";
import { call, startTestServer } from "../helpers/server.js";
import { tempDir } from "../helpers/tmp.js";

const phishing = loadStream("phishing").rows;
const obj = (x: ReadonlyMap<string, unknown>) => Object.fromEntries(x);
/** Whatever the helper starts (in process, or a child process): only its url and close are used. */
type Server = Awaited<ReturnType<typeof startTestServer>>;

/** Runs the CLI from source; killed if it outlives 20 s. */
const brook = (args: string[]) => runBrook(args, {}, 20_000);

/** Whether util-linux's `script` is here to run a command on a pseudo-terminal. */
const hasScript = spawnSync("script", ["--version"]).status === 0;

/**
 * Runs the CLI on a pseudo-terminal (through `script`), typing `input`; resolves with what the
 * terminal showed and the exit code.
 */
function onTerminal(args: string[], input: string): Promise<{ code: number; output: string }> {
  const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
  const command = [process.execPath, "--import", "tsx", join(ROOT, "src/cli/main.ts"), ...args]
    .map(quote)
    .join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], { cwd: ROOT });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
    child.stdin.end(input);
  });
}

/** Learns rows `from` to `to` of Phishing into a model, in one batch. */
async function learn(url: string, model: string, from: number, to: number): Promise<void> {
  const res = await call(url, "POST", `/v1/models/${model}/learn`, {
    instances: phishing.slice(from, to).map((r) => ({ x: obj(r.x), y: r.y })),
  });
  assert.equal(res.status, 200, res.text);
}

describe("brook models", () => {
  let tmp: ReturnType<typeof tempDir>;
  let server: Server;
  /** `brook models <args> --url <server>`. */
  const models = (...args: string[]) => brook(["models", ...args, "--url", server.url]);

  before(async () => {
    tmp = tempDir();
    // On disk, as served for real: checkpoints and rollbacks go through the file store.
    server = await startTestServer({ store: "file", dataDir: tmp.dir });
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });

  it("creates, lists, shows and deletes models", async () => {
    const created = await models(
      "create",
      "trump",
      "--spec",
      "StandardScaler | LinearRegression",
      "--metrics",
      "MAE, RMSE",
    );
    assert.equal(created.code, 0, created.stderr);
    assert.equal(
      created.stdout,
      'created model "trump": regression, StandardScaler | LinearRegression, metrics MAE, RMSE\n',
    );
    const [again, json, drifty] = await Promise.all([
      models("create", "trump", "--spec", "StandardScaler | LinearRegression", "--metrics", "MAE, RMSE"),
      models("create", "json", "--spec", '[{"kind": "StandardScaler"}, {"kind": "LogisticRegression"}]'),
      models("create", "drifty", "--spec", "LinearRegression", "--drift", "ADWIN"),
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stdout,
      /^model "trump" already exists with this spec \(regression, version 0\): unchanged$/m,
    );
    assert.equal(json.code, 0, json.stderr);
    assert.match(
      json.stdout,
      /^created model "json": binary, StandardScaler \| LogisticRegression, metrics ROCAUC$/m,
    );

    assert.equal(drifty.code, 0, drifty.stderr);

    const [list, listJson, show, showDrifty, readable] = await Promise.all([
      models("list"),
      models("list", "--json"),
      models("show", "trump", "--json"),
      models("show", "drifty", "--json"),
      models("show", "drifty"),
    ]);
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trimEnd().split("\n");
    assert.match(lines[0]!, /^NAME\s+TASK\s+VERSION\s+SPEC$/);
    assert.ok(
      lines.some((l) => /^trump\s+regression\s+0\s+StandardScaler \| LinearRegression$/.test(l)),
      list.stdout,
    );
    // Created concurrently above, so in no particular order.
    assert.deepEqual(
      JSON.parse(listJson.stdout)
        .models.map((m: { name: string }) => m.name)
        .sort(),
      ["default", "drifty", "json", "trump"],
    );
    assert.match(JSON.parse(showDrifty.stdout).drift.detector, /^ADWIN/);
    // Without --json, a view for people: one labelled line each, the full params as River text.
    assert.equal(readable.code, 0, readable.stderr);
    const view = readable.stdout;
    assert.match(view, /^model {8}drifty$/m);
    assert.match(view, /^task {9}regression$/m);
    assert.match(view, /^spec {9}LinearRegression$/m);
    assert.match(view, /^version {6}0 \(log seq 0, 0 examples learned\)$/m);
    assert.match(view, /^metrics {6}MAE: /m);
    assert.match(view, /^late labels {2}0 waiting \(0 remembered, 0 labelled, 0 expired, 0 evicted\)$/m);
    assert.match(view, /^checkpoints {2}none yet$/m);
    assert.match(view, /^drift {8}ADWIN: 0 detections$/m);
    assert.match(view, /^params {7}LinearRegression\(optimizer=SGD\(lr=0\.01\), loss=Squared, l2=0, /m);
    assert.doesNotMatch(view, /[{}]/, "no JSON in the readable view");
    const details = JSON.parse(show.stdout);
    assert.equal(details.task, "regression");
    assert.deepEqual(Object.keys(details.metrics), ["MAE", "RMSE"]);

    // Not a terminal: deleting without --yes is refused (exit 2) and changes nothing.
    const unasked = await models("delete", "json");
    assert.equal(unasked.code, 2);
    assert.match(unasked.stderr, /^brook: deleting model "json" needs --yes when not run from a terminal$/m);
    assert.equal((await call(server.url, "GET", "/v1/models/json")).status, 200);
    const deleted = await models("delete", "json", "--yes");
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, 'deleted model "json"\n');
    assert.equal((await call(server.url, "GET", "/v1/models/json")).status, 404);
  });

  it("checkpoints, lists checkpoints and rolls back", async () => {
    await call(server.url, "PUT", "/v1/models/ck", { spec: "StandardScaler | LogisticRegression" });
    await learn(server.url, "ck", 0, 100);
    const first = await models("checkpoint", "ck");
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^checkpoint of "ck" at version 100 \(seq \d+, \d+ bytes\)$/m);
    const at100 = (await call(server.url, "GET", "/v1/models/ck/export")).body;
    await learn(server.url, "ck", 100, 200);
    assert.equal((await models("checkpoint", "ck")).code, 0);

    const [list, listJson] = await Promise.all([
      models("checkpoints", "ck"),
      models("checkpoints", "ck", "--json"),
    ]);
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trimEnd().split("\n");
    assert.match(lines[0]!, /^SEQ\s+VERSION\s+BYTES\s+CREATED$/);
    assert.match(lines[1]!, /^\d+\s+100\s+\d+\s+\d{4}-\d\d-\d\dT/);
    assert.match(lines[2]!, /^\d+\s+200\s+\d+\s+\d{4}-\d\d-\d\dT/);
    assert.deepEqual(
      JSON.parse(listJson.stdout).checkpoints.map((c: { version: number }) => c.version),
      [100, 200],
    );

    const rb = await models("rollback", "ck", "--version", "150");
    assert.equal(rb.code, 0, rb.stderr);
    assert.equal(
      rb.stdout,
      'rolled "ck" back to its checkpoint of version 100, discarding 100 versions: now version 201, 100 learned\n',
    );
    assert.deepEqual((await call(server.url, "GET", "/v1/models/ck/export")).body.state, at100.state);

    const [none, bad] = await Promise.all([
      models("rollback", "ck", "--version", "10"),
      models("rollback", "ck", "--version", "ten"),
    ]);
    assert.equal(none.code, 1);
    assert.equal(
      none.stderr,
      'brook: model "ck" has no checkpoint at or before version 10 (BROOK_NO_CHECKPOINT)\n',
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--version must be a non-negative integer, got "ten"/);
  });

  it("on a terminal, asks before a rollback, saying how many versions it discards", {
    skip: !hasScript && "no script(1) here",
  }, async () => {
    await call(server.url, "PUT", "/v1/models/tty", { spec: "StandardScaler | LogisticRegression" });
    await learn(server.url, "tty", 0, 100);
    assert.equal((await models("checkpoint", "tty")).code, 0);
    await learn(server.url, "tty", 100, 150);
    const args = ["models", "rollback", "tty", "--version", "120", "--url", server.url];
    const question =
      'Roll "tty" back to its checkpoint of version 100, discarding 50 versions (101 to 150)? [y/N]';
    const no = await onTerminal(args, "n\n");
    assert.equal(no.code, 0, no.output);
    assert.ok(no.output.includes(question), no.output);
    assert.match(no.output, /not rolled back/);
    assert.equal((await call(server.url, "GET", "/v1/models/tty")).body.version, 150);
    const yes = await onTerminal(args, "y\n");
    assert.equal(yes.code, 0, yes.output);
    assert.ok(yes.output.includes(question), yes.output);
    assert.match(
      yes.output,
      /rolled "tty" back to its checkpoint of version 100, discarding 50 versions: now version 151/,
    );
    const unasked = await onTerminal([...args, "--yes"], "");
    assert.equal(unasked.code, 0, unasked.output);
    assert.doesNotMatch(unasked.output, /\[y\/N\]/);
    // From version 151 (the first rollback), back to 100 again.
    assert.match(unasked.output, /discarding 51 versions: now version 152/);
  });

  it("exports to a file and imports it into another model: the same state, the same predictions", async () => {
    await call(server.url, "PUT", "/v1/models/src", { spec: "StandardScaler | LogisticRegression" });
    await learn(server.url, "src", 0, 300);
    await call(server.url, "PUT", "/v1/models/dst", { spec: "StandardScaler | LogisticRegression" });
    const file = join(tmp.dir, "src.json");
    const [exported, stdout] = await Promise.all([
      models("export", "src", "--out", file),
      models("export", "src"),
    ]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /^exported "src" at version 300 to .*src\.json \(\d+ bytes\)$/m);
    const direct = (await call(server.url, "GET", "/v1/models/src/export")).text;
    // The server's exact bytes, so the state is bit for bit what the server exported.
    assert.equal(readFileSync(file, "utf8"), `${direct}\n`);
    assert.equal(stdout.stdout, `${direct}\n`);

    const imported = await models("import", "dst", file);
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal(imported.stdout, `imported ${file} into "dst": now version 1, 300 learned\n`);
    const a = (await call(server.url, "GET", "/v1/models/src/export")).body;
    const b = (await call(server.url, "GET", "/v1/models/dst/export")).body;
    assert.deepEqual(b.state, a.state);
    for (const r of phishing.slice(300, 305)) {
      const p = await call(server.url, "POST", "/v1/models/src/predict", { x: obj(r.x) });
      const q = await call(server.url, "POST", "/v1/models/dst/predict", { x: obj(r.x) });
      assert.deepEqual(q.body.probabilities, p.body.probabilities);
    }

    await call(server.url, "PUT", "/v1/models/lin", { spec: "LinearRegression" });
    const [mismatch, missing] = await Promise.all([
      models("import", "lin", file),
      models("import", "dst", join(tmp.dir, "nope.json")),
    ]);
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.stderr, /^brook: .+ \(BROOK_INVALID_STATE\)$/m);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^brook: cannot read .*nope\.json/m);
  });

  it("reports the server's problems (exit 1) and an unreachable server (exit 2) clearly", async () => {
    const port = await freePort();
    const [badSpec, clash, unknown, gone, down] = await Promise.all([
      models("create", "m", "--spec", "StandardScaler | LogisticRegresion"),
      models("create", "default", "--spec", "LinearRegression"),
      models("show", "nope"),
      models("delete", "nope", "--yes"),
      brook(["models", "list", "--url", `http://127.0.0.1:${port}`]),
    ]);
    assert.equal(badSpec.code, 1);
    assert.equal(
      badSpec.stderr,
      'brook: unknown name "LogisticRegresion" (did you mean LogisticRegression?) (at character 18) (BROOK_INVALID_SPEC)\n',
    );
    assert.equal(clash.code, 1);
    assert.match(clash.stderr, /^brook: model "default" already exists .* \(BROOK_MODEL_EXISTS\)$/m);
    for (const r of [unknown, gone]) {
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^brook: .*"nope".* \(BROOK_MODEL_NOT_FOUND\)\n$/);
      assert.equal(r.stdout, "");
    }
    assert.equal(down.code, 2);
    assert.equal(
      down.stderr,
      `brook: cannot reach Brook at http://127.0.0.1:${port} (ECONNREFUSED): is "brook serve" running?\n`,
    );
  });
});

describe("brook replay --delay-labels", () => {
  let server: Server;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("predicts every row, labels it 0.2 s later, and the server scores what it served", async () => {
    const res = await brook([
      "replay",
      "phishing",
      "--url",
      server.url,
      "--delay-labels",
      "0.2",
      "--limit",
      "200",
      "--route",
      "v1",
    ]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(
      res.stdout,
      /^200 rows replayed in [\d.]+ s \([\d,]+ rows\/s\): 200 predictions sent, 200 labels sent 0\.2 s after their predictions, 0 failed\nROCAUC: [\d.]+%\n$/,
    );
    const seconds = Number(/in ([\d.]+) s/.exec(res.stdout)![1]);
    assert.ok(seconds >= 0.2, `labels came ${seconds} s after the start`);
    // Not a TTY: plain progress lines, counting labelled rows.
    assert.match(res.stderr, /^200\/200 \(100%\) [\d,]+ rows\/s 200 predicted \| ROCAUC: /m);
    const info = (await call(server.url, "GET", "/v1/models/default")).body;
    assert.equal(info.version, 200);
    assert.deepEqual(info.pending, { waiting: 0, remembered: 200, labelled: 200, expired: 0, evicted: 0 });
  });

  it("with no delay and one request at a time it is test-then-train: River's [200] ROCAUC", async () => {
    const river = readFileSync(join(FIXTURES, "progressive_val_score_print_every_200.txt"), "utf8");
    const at200 = /^\[200\] (.*)$/m.exec(river)![1]!;
    await call(server.url, "PUT", "/v1/models/ttt", { spec: "StandardScaler | LogisticRegression" });
    const res = await brook([
      "replay",
      "phishing",
      "--url",
      server.url,
      "--model",
      "ttt",
      "--delay-labels",
      "0",
      "--limit",
      "200",
      "--no-progress",
    ]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr, "");
    assert.match(res.stdout, new RegExp(`\\n${at200.replace(/[.()|]/g, "\\$&")}\\n$`));
  });

  it("keeps the bounds it is given and loses no label", async () => {
    await call(server.url, "PUT", "/v1/models/bounded", { spec: "StandardScaler | LogisticRegression" });
    const res = await brook([
      "replay",
      "phishing",
      "--url",
      server.url,
      "--model",
      "bounded",
      "--delay-labels",
      "0.02",
      "--concurrency",
      "4",
      "--max-pending",
      "8",
      "--limit",
      "120",
      "--no-progress",
    ]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(
      res.stdout,
      /: 120 predictions sent, 120 labels sent 0\.02 s after their predictions, 0 failed\n/,
    );
    const info = (await call(server.url, "GET", "/v1/models/bounded")).body;
    assert.equal(info.version, 120);
    assert.deepEqual(info.pending, { waiting: 0, remembered: 120, labelled: 120, expired: 0, evicted: 0 });
  });

  it("rejects another route, and stops at an unknown model", async () => {
    const [route, unknown] = await Promise.all([
      brook(["replay", "phishing", "--url", server.url, "--delay-labels", "1", "--route", "update_model"]),
      brook([
        "replay",
        "phishing",
        "--url",
        server.url,
        "--delay-labels",
        "0",
        "--model",
        "nope",
        "--no-progress",
      ]),
    ]);
    assert.equal(route.code, 2);
    assert.match(route.stderr, /^brook: --delay-labels needs --route v1/m);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^brook: .*"nope".* \(BROOK_MODEL_NOT_FOUND\)\n$/);
  });
});
