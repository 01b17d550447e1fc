/**
 * What an import into a model name means: into a model that exists, the export must have been
 * made by the same spec (else a 400 names the parameters that differ); into a name that does
 * not exist, the model is first created from the export's own spec, metrics and drift detector.
 */
import { brookError } from "../errors.js";
import { build, describe, type Json, StateError } from "../learn/index.js";
import type { ServedModel } from "../models/served-model.js";

interface Envelope {
  kind: string;
  params: Record<string, Json>;
}

function isEnvelope(v: unknown): v is Envelope {
  const e = v as Envelope;
  return typeof e === "object" && e !== null && typeof e.kind === "string" && typeof e.params === "object";
}

/** The model's state envelope in an export, or the document itself when it is a bare envelope. */
function stateOf(doc: unknown): Envelope | undefined {
  const d = doc as { format?: unknown; state?: unknown };
  if (typeof doc !== "object" || doc === null) return undefined;
  const state = d.format === undefined && d.state !== undefined ? d.state : doc;
  return isEnvelope(state) ? state : undefined;
}

/** A spec string for a component described by its kind and params. */
function specOf(e: Envelope): string {
  return describe(build({ kind: e.kind, params: e.params } as Json));
}

/** How to create a model that can take `doc`: its spec, metrics and drift detector. */
export function creationFromExport(doc: unknown): { spec: string; metrics: string[]; drift?: string } {
  const state = stateOf(doc);
  if (!state) {
    throw brookError(
      "INVALID_REQUEST",
      "the body must be an export (GET /v1/models/{name}/export) or a state envelope",
    );
  }
  const d = doc as { spec?: unknown; metrics?: unknown; drift?: { state?: unknown } };
  const spec = typeof d.spec === "string" && d !== state ? d.spec : specOf(state);
  const metrics = Array.isArray(d.metrics) && d !== state ? d.metrics.filter(isEnvelope).map(specOf) : [];
  const drift = d !== state && isEnvelope(d.drift?.state) ? specOf(d.drift.state) : undefined;
  return drift === undefined ? { spec, metrics } : { spec, metrics, drift };
}

function show(v: Json | undefined): string {
  return v === undefined ? "absent" : JSON.stringify(v);
}

/** The parameters that differ between two components, as `path (Owner): here, there` lines. */
function differences(
  here: Json | undefined,
  there: Json | undefined,
  path: string,
  owner: string,
  out: string[],
) {
  if (isEnvelope(here) && isEnvelope(there)) {
    if (here.kind !== there.kind) {
      out.push(`${path === "" ? "the model" : path}: ${here.kind} here, ${there.kind} in the export`);
      return;
    }
    for (const k of new Set([...Object.keys(here.params), ...Object.keys(there.params)])) {
      differences(here.params[k], there.params[k], path === "" ? k : `${path}.${k}`, here.kind, out);
    }
    return;
  }
  if (Array.isArray(here) && Array.isArray(there) && here.length === there.length) {
    for (const [i, h] of here.entries()) differences(h, there[i], `${path}[${i}]`, owner, out);
    return;
  }
  if (JSON.stringify(here) !== JSON.stringify(there)) {
    out.push(`${path} (${owner}): ${show(here)} here, ${show(there)} in the export`);
  }
}

/**
 * Checks that `doc` was exported from a model with `model`'s spec; a mismatch is a 400 that
 * names every parameter that differs (the state itself is checked by the model's import).
 */
export function checkSameSpec(model: ServedModel, doc: unknown): void {
  const there = stateOf(doc);
  if (!there) return; // the model's own check says what is wrong
  const here: Envelope = { kind: model.estimator.kind, params: model.params() as Record<string, Json> };
  const out: string[] = [];
  differences(here as unknown as Json, there as unknown as Json, "", here.kind, out);
  if (out.length === 0) return;
  throw new StateError(`the export was made by another spec than model "${model.name}"'s: ${out.join("; ")}`);
}
