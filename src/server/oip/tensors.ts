/**
 * The Open Inference Protocol's tensor encoding, both ways: request inputs (one per feature,
 * shape [N] or [N, 1], data flat or nested, row-major) into one feature object per row, with
 * the features in the order of the inputs; predictions into output tensors (`predict`,
 * `predict_proba` with the class labels in its parameters, `score` for anomaly detectors).
 */
import { KEY_ORDER } from "../../codec/ordered-json.js";
import { brookError, clip } from "../../errors.js";
import type { Label, RawFeatures } from "../../learn/index.js";
import type { PredictOutcome } from "../../models/served-model.js";
import type { FeaturePolicy } from "../validation/features.js";
import { toFeatures } from "../validation/features.js";
import type { Datatype } from "./schemas.js";

export interface InputTensor {
  name: string;
  shape: number[];
  datatype: Datatype;
  data: unknown[];
}

export interface OutputTensor {
  name: string;
  shape: number[];
  datatype: Datatype;
  parameters?: Record<string, string | number | boolean>;
  data: (number | string | boolean)[];
}

type Value = number | string | boolean;

function flatten(data: unknown[], out: unknown[] = []): unknown[] {
  for (const v of data) {
    if (Array.isArray(v)) flatten(v, out);
    else out.push(v);
  }
  return out;
}

const INTEGER = /^U?INT\d+$/;

/** The values of one input, checked against its datatype and shape. */
function valuesOf(t: InputTensor, at: string): Value[] {
  const values = flatten(t.data);
  const size = t.shape.reduce((a, b) => a * b, 1);
  if (t.shape.length === 0 || (t.shape.length === 2 && t.shape[1] !== 1)) {
    throw brookError(
      "INVALID_REQUEST",
      `${at}.shape must be [N] or [N, 1] (one value per row), got [${t.shape}]`,
      {
        path: `${at}.shape`,
      },
    );
  }
  if (size !== values.length) {
    throw brookError(
      "INVALID_REQUEST",
      `${at} has ${values.length} values, but its shape [${t.shape}] says ${size}`,
      { path: `${at}.data` },
    );
  }
  for (const [i, v] of values.entries()) {
    const bad = (what: string) =>
      brookError(
        "INVALID_FEATURES",
        `${at}.data[${i}] must be ${what} (datatype ${t.datatype}), got ${JSON.stringify(v)}`,
        {
          path: `${at}.data[${i}]`,
        },
      );
    if (t.datatype === "BOOL") {
      if (typeof v !== "boolean") throw bad("true or false");
    } else if (t.datatype === "BYTES") {
      if (typeof v !== "string") throw bad("a string");
    } else if (typeof v !== "number" || !Number.isFinite(v)) {
      throw bad("a finite number");
    } else if (INTEGER.test(t.datatype) && !Number.isInteger(v)) {
      throw bad("an integer");
    }
  }
  return values as Value[];
}

/** The inputs' rows: each input's values, all inputs of the same length. */
export function decodeInputs(
  inputs: readonly InputTensor[],
  maxBatch: number,
): { names: string[]; columns: Value[][]; rows: number } {
  const names: string[] = [];
  const columns: Value[][] = [];
  let rows = -1;
  const seen = new Set<string>();
  for (const [i, t] of inputs.entries()) {
    const at = `inputs[${i}]`;
    if (seen.has(t.name)) {
      throw brookError("INVALID_REQUEST", `${at}: input "${clip(t.name)}" is given twice`, {
        path: `${at}.name`,
      });
    }
    seen.add(t.name);
    const values = valuesOf(t, at);
    if (rows === -1) rows = values.length;
    else if (values.length !== rows) {
      throw brookError(
        "INVALID_REQUEST",
        `${at} ("${clip(t.name)}") has ${values.length} rows, but ${clip(inputs[0]!.name)} has ${rows}: every input needs one value per row`,
        { path: `${at}.data` },
      );
    }
    names.push(t.name);
    columns.push(values);
  }
  if (rows === 0) throw brookError("INVALID_REQUEST", "the inputs have no rows", { path: "inputs[0].data" });
  if (rows > maxBatch) {
    throw brookError("BATCH_TOO_LARGE", `the inputs have ${rows} rows, more than the limit of ${maxBatch}`);
  }
  return { names, columns, rows };
}

/** One feature object per row, the features in the inputs' order. */
export function rowsToFeatures(
  names: readonly string[],
  columns: readonly Value[][],
  rows: number,
  policy: FeaturePolicy,
): RawFeatures[] {
  const out: RawFeatures[] = [];
  for (let r = 0; r < rows; r++) {
    const x: Record<string | symbol, unknown> = { [KEY_ORDER]: names };
    for (const [j, name] of names.entries()) {
      // defineProperty: a feature called __proto__ is data, not a prototype.
      Object.defineProperty(x, name, {
        value: columns[j]![r],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    out.push(toFeatures(x, `row ${r}`, policy));
  }
  return out;
}

function asBytes(l: Label | number | undefined): string {
  if (l === undefined) return "None";
  if (typeof l === "boolean") return l ? "True" : "False";
  return String(l);
}

/**
 * The output tensors of predictions, for a model of `family` and `task`: a binary classifier's
 * labels as BOOL (BYTES "None" too while it knows no class), a multiclass one's as BYTES
 * (Python's str of the label), numbers as FP64.
 */
export function encodeOutputs(
  family: string,
  task: string,
  outcomes: readonly PredictOutcome[],
): OutputTensor[] {
  const n = outcomes.length;
  const predictions = outcomes.map((o) => o.prediction);
  if (family === "anomaly") {
    return [{ name: "score", shape: [n], datatype: "FP64", data: predictions as number[] }];
  }
  if (family === "regressor") {
    return [{ name: "predict", shape: [n], datatype: "FP64", data: predictions as number[] }];
  }
  const datatype: Datatype =
    task === "binary" && predictions.every((l) => typeof l === "boolean") ? "BOOL" : "BYTES";
  const predict: OutputTensor = {
    name: "predict",
    shape: [n],
    datatype,
    data: datatype === "BYTES" ? predictions.map(asBytes) : (predictions as Value[]),
  };
  if (datatype === "BYTES") predict.parameters = { content_type: "str" };
  // The classes of every row's probabilities, in first-seen order (a row lacking one gives it 0).
  const classes: Label[] = [];
  for (const o of outcomes) {
    for (const label of o.probabilities?.keys() ?? []) if (!classes.includes(label)) classes.push(label);
  }
  const data: number[] = [];
  for (const o of outcomes) for (const c of classes) data.push(o.probabilities?.get(c) ?? 0);
  const proba: OutputTensor = {
    name: "predict_proba",
    shape: [n, classes.length],
    datatype: "FP64",
    parameters: { classes: JSON.stringify(classes) },
    data,
  };
  return [predict, proba];
}

/** The outputs a model of `family` produces (its metadata). */
export function outputsOf(
  family: string,
  task: string,
): { name: string; datatype: Datatype; shape: number[] }[] {
  if (family === "anomaly") return [{ name: "score", datatype: "FP64", shape: [-1] }];
  if (family === "regressor") return [{ name: "predict", datatype: "FP64", shape: [-1] }];
  if (family === "classifier") {
    return [
      { name: "predict", datatype: task === "binary" ? "BOOL" : "BYTES", shape: [-1] },
      { name: "predict_proba", datatype: "FP64", shape: [-1, -1] },
    ];
  }
  return [];
}
