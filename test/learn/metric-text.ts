/**
 * Compares a metric's text with River's `metrics_repr`. Percent and fixed-point texts hide the
 * last bits, so they must match exactly; a full float repr (LogLoss, CrossEntropy) shows every
 * digit, where V8's `Math.log`/`Math.exp` may sit 1 ulp from glibc's: there the name and the
 * shape must match exactly and the number within the conformance tolerance.
 */
import assert from "node:assert/strict";
import { close } from "../helpers/river.js";

const FULL_REPR = /^-?\d+\.\d{9,}$|^-?\d(\.\d+)?e[-+]\d+$/;

export function sameMetricText(actual: string, expected: string, what: string): void {
  if (actual === expected) return;
  const [name, value] = splitText(expected, what);
  const [ourName, ourValue] = splitText(actual, what);
  assert.equal(ourName, name, `${what}: metric name`);
  assert.ok(FULL_REPR.test(value), `${what}: "${actual}" is not River's "${expected}"`);
  assert.ok(FULL_REPR.test(ourValue), `${what}: "${actual}" does not print a full repr like "${expected}"`);
  close(Number(ourValue), Number(value), `${what}: "${actual}" vs "${expected}"`);
}

function splitText(text: string, what: string): [string, string] {
  const at = text.indexOf(": ");
  assert.ok(at > 0, `${what}: "${text}" is not "Name: value"`);
  return [text.slice(0, at), text.slice(at + 2)];
}
