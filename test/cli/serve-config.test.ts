import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runBrook, type ServerProcess, spawnServer } from "../helpers/process.js";
import { call } from "../helpers/server.js";
import { tempDir } from "../helpers/tmp.js";

/** Waits until `check()` is true, polling; fails after `ms`. */
async function until(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(server: ServerProcess): Promise<void> {
  server.child.kill("SIGTERM");
  assert.equal(await server.exited(), 0, server.output());
}

const FRAUD = "StandardScaler | LogisticRegression";

describe("brook serve --config", () => {
  let tmp: ReturnType<typeof tempDir>;
  before(() => {
    tmp = tempDir();
  });
  after(() => tmp.remove());

  /** Writes a config file in the temporary folder and returns its path. */
  const write = (name: string, text: string): string => {
    const path = join(tmp.dir, name);
    writeFileSync(path, text);
    return path;
  };

  it("creates the declared models at start; after a change of spec, keeps the stored model and warns", async () => {
    const data = join(tmp.dir, "data");
    const config = (spec: string) =>
      write(
        "brook.yaml",
        [
          "store: file",
          `data-dir: ${data}`,
          "workers: 1",
          // Flags win over the file: the test's --host 127.0.0.1 replaces this address.
          "host: 203.0.113.1",
          "models:",
          "  - name: fraud",
          `    spec: ${spec}`,
          "    metrics: [ROCAUC, LogLoss]",
          "    drift: ADWIN",
          "  - name: trump",
          "    spec: StandardScaler | LinearRegression",
          "",
        ].join("\n"),
      );
    const first = await spawnServer(["--config", config(FRAUD)]);
    try {
      await until(
        "the declared models",
        async () => (await call(first.url, "GET", "/v1/models/trump")).status === 200,
      );
      const fraud = (await call(first.url, "GET", "/v1/models/fraud")).body;
      assert.equal(fraud.spec, FRAUD);
      assert.deepEqual(Object.keys(fraud.metrics), ["ROCAUC", "LogLoss"]);
      assert.match(fraud.drift.detector, /^ADWIN/);
      assert.equal((await call(first.url, "GET", "/v1/models/trump")).body.task, "regression");
      const learned = await call(first.url, "POST", "/v1/models/fraud/learn", { x: { a: 1 }, y: true });
      assert.equal(learned.status, 200, learned.text);
    } finally {
      await stop(first);
    }

    const second = await spawnServer(["--config", config("LogisticRegression")]);
    try {
      // Logs are JSON lines: the quotes in the message are escaped.
      await until("the warning", () =>
        /model \\"fraud\\" already exists with another spec/.test(second.output()),
      );
      assert.match(second.output(), /the stored one is kept and .*brook\.yaml's is ignored/);
      const fraud = (await call(second.url, "GET", "/v1/models/fraud")).body;
      assert.equal(fraud.spec, FRAUD, "the stored model stays");
      assert.equal(fraud.version, 1, "with what it learned");
      assert.doesNotMatch(second.output(), /trump/, "an unchanged model is not warned about");
    } finally {
      await stop(second);
    }
  });

  it("creates them through the workers of a cluster too", async () => {
    const path = write(
      "cluster.json",
      JSON.stringify({ store: "memory", workers: 2, models: [{ name: "c1", spec: "GaussianNB" }] }),
    );
    const server = await spawnServer(["--config", path], {}, 2);
    try {
      await until(
        "the declared model",
        async () => (await call(server.url, "GET", "/v1/models/c1")).status === 200,
      );
      assert.equal((await call(server.url, "GET", "/v1/models/c1")).body.spec, "GaussianNB");
    } finally {
      await stop(server);
    }
  });

  it("refuses a bad file before starting, naming the file and the key (BROOK_CONFIG too)", async () => {
    const spec = write("spec.yaml", "store: memory\nmodels:\n  m1: StandardScaler | LogisticRegresion\n");
    const key = write("key.json", '{"store": "memory", "chekpoint-keep": 3}');
    const name = write("name.yml", "store: memory\nmodels:\n  - {name: ../x, spec: GaussianNB}\n");
    const [badSpec, badKey, badName, fromEnv] = await Promise.all([
      runBrook(["serve", "--config", spec]),
      runBrook(["serve", "--config", key]),
      runBrook(["serve", "--config", name]),
      runBrook(["serve"], { BROOK_CONFIG: key }),
    ]);
    assert.equal(badSpec.code, 2);
    assert.equal(
      badSpec.stderr,
      `brook: ${spec}: models.m1 ("m1"): unknown name "LogisticRegresion" (did you mean LogisticRegression?) (at character 18)\n`,
    );
    assert.equal(badKey.code, 2);
    assert.equal(
      badKey.stderr,
      `brook: ${key}: unknown setting "chekpoint-keep" (did you mean "checkpoint-keep"?)\n`,
    );
    assert.equal(badName.code, 2);
    assert.match(
      badName.stderr,
      /^brook: .*name\.yml: models\[0\] \("\.\.\/x"\): "\.\.\/x" is not a valid model name/,
    );
    assert.equal(fromEnv.code, 2);
    assert.equal(fromEnv.stderr, badKey.stderr);
  });
});
