import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  Adam,
  build,
  describe as describeSpec,
  LogisticRegression,
  Pipeline,
  SpecError,
  StandardScaler,
  specStringToJson,
} from "../../src/learn/index.js";

function specError(spec: unknown, pattern: RegExp, position?: number): void {
  assert.throws(
    () => build(spec as string),
    (e: unknown) => {
      assert.ok(e instanceof SpecError, String(e));
      assert.match(e.message, pattern);
      assert.equal(e.code, "BROOK_INVALID_SPEC");
      if (position !== undefined) assert.equal(e.position, position);
      return true;
    },
  );
}

describe("model specs", () => {
  it("a string and its JSON build the same pipeline", () => {
    const text = "StandardScaler | LogisticRegression(l2=0.001, optimizer=Adam(lr=0.01))";
    const fromText = build(text);
    const json: any = {
      kind: "Pipeline",
      params: {
        steps: [
          { kind: "StandardScaler" },
          {
            kind: "LogisticRegression",
            params: { l2: 0.001, optimizer: { kind: "Adam", params: { lr: 0.01 } } },
          },
        ],
      },
    };
    assert.deepEqual(build(json).getParams(), fromText.getParams());
    assert.deepEqual(build(specStringToJson(text)).getParams(), fromText.getParams());
    const direct = new Pipeline({
      steps: [new StandardScaler(), new LogisticRegression({ l2: 0.001, optimizer: new Adam({ lr: 0.01 }) })],
    });
    assert.deepEqual(direct.getParams(), fromText.getParams());
    // A JSON array is shorthand for a pipeline.
    assert.deepEqual(
      build([{ kind: "StandardScaler" }, json.params.steps[1]]).getParams(),
      fromText.getParams(),
    );
  });

  it("accepts River's spellings: module prefixes, positional args, True/False/None", () => {
    const a = build(
      "preprocessing.StandardScaler(with_std=False) | linear_model.LogisticRegression(optim.SGD(0.1))",
    );
    const steps = a.getParams().steps as any[];
    assert.equal(steps[0].params.with_std, false);
    assert.equal(steps[1].params.optimizer.params.lr, 0.1);
    assert.equal((build("StandardScaler(True)").getParams() as any).with_std, true);
    assert.equal((build("ROCAUC(n_thresholds=1_000)").getParams() as any).n_thresholds, 1000);
    assert.equal((build("LogisticRegression(intercept_init=-.5)").getParams() as any).intercept_init, -0.5);
  });

  it("flattens nested pipelines like River's `|`", () => {
    const p = build("(StandardScaler | StandardScaler) | LogisticRegression") as Pipeline;
    assert.equal(p.steps.length, 3);
  });

  it("describes a component back as a spec with only non-default params", () => {
    const text = "StandardScaler | LogisticRegression(optimizer=Adam(lr=0.01), l2=0.001)";
    assert.equal(describeSpec(build(text)), text);
    assert.equal(
      describeSpec(build("StandardScaler|LogisticRegression()")),
      "StandardScaler | LogisticRegression",
    );
  });

  it("says which name is unknown and where, with a suggestion", () => {
    specError(
      "StandardScaler | LogisticRegresion",
      /unknown name "LogisticRegresion" \(did you mean LogisticRegression\?\)/,
      17,
    );
    specError(
      "StandardScaler | LogisticRegression(optimizer=Adamm())",
      /unknown name "Adamm" \(did you mean Adam\?\)/,
      46,
    );
  });

  it("says which parameter is wrong and why", () => {
    specError(
      "LogisticRegression(l3=1)",
      /LogisticRegression has no parameter "l3" \(its parameters: optimizer, loss/,
      19,
    );
    specError("LogisticRegression(l2=-1)", /LogisticRegression\.l2 must be a number >= 0, got -1/, 0);
    specError("LogisticRegression(l2='a')", /l2 must be a number/);
    specError("LogisticRegression(optimizer=0.5)", /optimizer must be an optimizer, got 0.5/);
    specError("LogisticRegression(loss=Squared())", /must be a binary loss/);
    specError("LogisticRegression(l1=0.1, l2=0.1)", /l1 and l2 cannot both be non-zero/);
    specError("StandardScaler(True, False)", /takes at most 1 positional argument/);
    specError("ROCAUC(n_thresholds=1, n_thresholds=2)", /given twice|n_thresholds must be/);
    specError("LogisticRegression | StandardScaler", /step 1 \(LogisticRegression\) must be a transformer/);
  });

  it("reports syntax errors with their position", () => {
    specError("StandardScaler |", /expected an estimator name but found the end of the spec/, 16);
    specError("StandardScaler(with_std=True", /expected "\)"/);
    specError("StandardScaler $ LogisticRegression", /unexpected character "\$"/, 15);
    specError("", /empty/);
    specError("LogisticRegression(l2=1e999)", /out of range/);
  });

  it("reports JSON spec errors with their path", () => {
    specError(
      { kind: "Pipeline", params: { steps: [{ kind: "StandardScaler" }, { kind: "Nope" }] } },
      /spec\.params\.steps\[1\]: unknown name "Nope"/,
    );
    specError(
      { kind: "LogisticRegression", params: { l2: "x" } },
      /spec: LogisticRegression\.l2 must be a number/,
    );
    specError({ kind: "LogisticRegression", extra: 1 }, /unexpected key "extra"/);
    specError(42, /expected \{"kind"/);
  });
});
