import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaults, loadConfig, splitMetrics } from "../src/config/config.js";
import { parseConfigFile, readConfigFile } from "../src/config/file.js";
import type { BrookError } from "../src/errors.js";

describe("configuration", () => {
  it("defaults: port 8080 like the original, the blog's model", () => {
    const c = loadConfig({}, {});
    assert.equal(c.port, 8080);
    assert.equal(c.model, "StandardScaler | LogisticRegression");
    assert.deepEqual(c, defaults);
  });

  it("flags win over environment variables, which win over defaults", () => {
    const env = { BROOK_PORT: "9000", BROOK_MODEL: "LogisticRegression", BROOK_LOG_LEVEL: "WARN" };
    const fromEnv = loadConfig({}, env);
    assert.equal(fromEnv.port, 9000);
    assert.equal(fromEnv.model, "LogisticRegression");
    assert.equal(fromEnv.logLevel, "warn");
    const fromFlags = loadConfig({ port: "9100" }, env);
    assert.equal(fromFlags.port, 9100);
    assert.equal(fromFlags.model, "LogisticRegression");
  });

  it("the Redis store: --store redis://..., BROOK_REDIS_URL when --store is not given, roles, backups", () => {
    assert.equal(loadConfig({ store: "redis://h:6379/2" }, {}).store, "redis://h:6379/2");
    assert.equal(loadConfig({ store: "rediss://:pw@h:6380/0" }, {}).store, "rediss://:pw@h:6380/0");
    assert.equal(loadConfig({}, { BROOK_REDIS_URL: "redis://r:6379/0" }).store, "redis://r:6379/0");
    assert.equal(
      loadConfig({ store: "file" }, { BROOK_REDIS_URL: "redis://r:6379/0" }).store,
      "file",
      "an explicit store wins",
    );
    assert.equal(loadConfig({ role: "SERVE" }, {}).role, "serve");
    assert.throws(() => loadConfig({ role: "writer" }, {}), /--role must be one of all, serve, learn/);
    assert.throws(() => loadConfig({ store: "postgres://x" }, {}), /--store must be one of file, memory/);
    assert.throws(
      () => loadConfig({}, { BROOK_REDIS_URL: "http://x" }),
      /BROOK_REDIS_URL must be a redis:\/\//,
    );
    assert.throws(() => loadConfig({ backup: "s3://A_B" }, {}), /--backup must be s3:\/\/bucket\/prefix/);
    assert.equal(loadConfig({ backup: "s3://my-bucket/brook/prod" }, {}).backup, "s3://my-bucket/brook/prod");
    assert.equal(defaults.redisPrefix, "brook:");
  });

  it("is frozen", () => {
    const c = loadConfig({}, {});
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.metrics));
    assert.throws(() => {
      (c as { port: number }).port = 1;
    }, TypeError);
  });

  it("rejects bad values, naming the flag or variable", () => {
    assert.throws(
      () => loadConfig({}, { BROOK_PORT: "80x" }),
      (e: BrookError) => /BROOK_PORT/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ port: "70000" }, {}),
      (e: BrookError) => /--port/.test(e.message),
    );
    assert.throws(() => loadConfig({ bodyLimit: "12" }, {}), /--body-limit/);
    assert.throws(() => loadConfig({}, { BROOK_LOG_LEVEL: "loud" }), /BROOK_LOG_LEVEL/);
    assert.throws(() => loadConfig({ model: "  " }, {}), /--model/);
  });

  it("splits metric lists at top-level commas only", () => {
    assert.deepEqual(splitMetrics("ROCAUC, ROCAUC(n_thresholds=1000, pos_val=True),LogLoss"), [
      "ROCAUC",
      "ROCAUC(n_thresholds=1000, pos_val=True)",
      "LogLoss",
    ]);
    assert.deepEqual(loadConfig({}, { BROOK_METRICS: "Accuracy,F1" }).metrics, ["Accuracy", "F1"]);
  });
});

describe("config files", () => {
  const yaml = [
    "# brook.yaml",
    "port: 9200",
    "data-dir: /srv/brook",
    "checkpointEvery: 1000",
    "metrics: [ROCAUC, Accuracy]",
    "log-level: warn",
    "models:",
    "  - name: fraud",
    "    spec: StandardScaler | LogisticRegression",
    "    metrics: ROCAUC, LogLoss",
    "    drift: ADWIN",
    "  - name: trump",
    "    spec: [{kind: StandardScaler}, {kind: LinearRegression}]",
  ].join("\n");

  it("reads settings in kebab-case or camelCase, and the models to create", () => {
    const file = parseConfigFile(yaml, "brook.yaml");
    const c = loadConfig({}, {}, file);
    assert.equal(c.port, 9200);
    assert.equal(c.dataDir, "/srv/brook");
    assert.equal(c.checkpointEvery, 1000);
    assert.deepEqual(c.metrics, ["ROCAUC", "Accuracy"]);
    assert.equal(c.logLevel, "warn");
    assert.equal(c.fsync, defaults.fsync);
    assert.deepEqual(
      file.models.map(({ where: _, ...m }) => m),
      [
        {
          name: "fraud",
          spec: "StandardScaler | LogisticRegression",
          metrics: ["ROCAUC", "LogLoss"],
          drift: "ADWIN",
        },
        { name: "trump", spec: [{ kind: "StandardScaler" }, { kind: "LinearRegression" }] },
      ],
    );
    // The same in JSON, and models as a map of name to spec.
    const json = parseConfigFile(
      JSON.stringify({
        "data-dir": "/srv/brook",
        models: { fraud: "LogisticRegression", b: { spec: "GaussianNB" } },
      }),
      "brook.json",
    );
    assert.equal(loadConfig({}, {}, json).dataDir, "/srv/brook");
    assert.deepEqual(
      json.models.map((m) => [m.name, m.spec]),
      [
        ["fraud", "LogisticRegression"],
        ["b", "GaussianNB"],
      ],
    );
  });

  it("flags win over variables, which win over the file, which wins over the defaults", () => {
    const file = parseConfigFile("port: 9200\nhost: 10.0.0.1\nstore: memory\nfsync: never\n", "brook.yml");
    const env = { BROOK_PORT: "9300", BROOK_HOST: "10.0.0.2" };
    const c = loadConfig({ port: "9400" }, env, file);
    assert.equal(c.port, 9400, "flag over variable and file");
    assert.equal(c.host, "10.0.0.2", "variable over file");
    assert.equal(c.store, "memory", "file over default");
    assert.equal(c.fsync, "never");
    assert.equal(c.checkpointKeep, defaults.checkpointKeep, "default when nobody says");
    assert.equal(loadConfig({}, { BROOK_STORE: "" }, file).store, "memory", "an empty variable is unset");
  });

  it("names the file and the key of every mistake", () => {
    const bad = (text: string, path: string, message: RegExp) =>
      assert.throws(
        () => loadConfig({}, {}, parseConfigFile(text, path)),
        (e: BrookError) => e.code === "BROOK_INVALID_CONFIG" && message.test(e.message),
        message.source,
      );
    bad(
      "port: eighty\n",
      "brook.yaml",
      /^brook\.yaml: port must be an integer from 0 to 65535, got "eighty"$/,
    );
    bad('{"body-limit": 12}', "b.json", /^b\.json: body-limit must be an integer from 1024/);
    bad("log-level: loud\n", "brook.yaml", /^brook\.yaml: log-level must be one of fatal, error/);
    bad("prot: 80\n", "brook.yaml", /^brook\.yaml: unknown setting "prot" \(did you mean "port"\?\)$/);
    bad("modles: []\n", "brook.yaml", /unknown setting "modles" \(did you mean "models"\?\)/);
    bad(
      "port: 1\nport: 2\n",
      "brook.yaml",
      /^brook\.yaml is not valid YAML: Map keys must be unique at line 2, column 1$/,
    );
    bad("data-dir: a\ndataDir: b\n", "brook.yaml", /"dataDir" and "data-dir" are the same setting/);
    bad("host: [a, b]\n", "brook.yaml", /^brook\.yaml: host must be a number or a string, got a list$/);
    bad("port:\n", "brook.yaml", /^brook\.yaml: port has no value$/);
    bad("{port: 1}", "brook.json", /^brook\.json is not valid JSON: /);
    bad("- 1\n- 2\n", "brook.yaml", /must hold an object of settings/);
    bad("port: 1\n", "brook.toml", /^brook\.toml: a config file must be \.json, \.yaml or \.yml$/);
    bad("models:\n  - spec: X\n", "m.yaml", /^m\.yaml: models\[0\]\.name must be a model name$/);
    bad("models:\n  - name: a\n", "m.yaml", /^m\.yaml: models\[0\]\.spec must be a spec string/);
    bad(
      "models:\n  - {name: a, spec: X, metric: Y}\n",
      "m.yaml",
      /^m\.yaml: models\[0\]: unknown key "metric"/,
    );
    bad(
      "models:\n  a: X\n  b: {spec: X, metrics: 3}\n",
      "m.yaml",
      /^m\.yaml: models\.b\.metrics must be a list/,
    );
    bad(
      "models:\n  - {name: a, spec: X}\n  - {name: a, spec: Y}\n",
      "m.yaml",
      /models\[1\]: model "a" is declared twice/,
    );
    bad(
      "models:\n  default: X\n",
      "m.yaml",
      /models\.default: the model "default" is the one of the "model" and "metrics" settings/,
    );
    assert.throws(
      () => readConfigFile("/nonexistent/brook.yaml"),
      /cannot read the config file \/nonexistent\/brook\.yaml: ENOENT/,
    );
  });

  it("an empty file is no settings", () => {
    const file = parseConfigFile("# nothing yet\n", "brook.yaml");
    assert.deepEqual(loadConfig({}, {}, file), loadConfig({}, {}));
    assert.deepEqual(file.models, []);
  });
});
