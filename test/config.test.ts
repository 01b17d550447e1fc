import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaults, loadConfig, splitMetrics } from "../src/config/config.js";
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
