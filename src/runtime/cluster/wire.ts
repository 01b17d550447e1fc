import { BrookError } from "../../errors.js";
import { DenseFeatures, type FeatureValue, LearnError, type RawFeatures } from "../../learn/index.js";
import type { LearnItem } from "../../models/writer.js";
import type { RememberItem } from "../backend.js";
import type { WireError } from "./protocol.js";

/**
 * What crosses the IPC channel. The channel uses V8's serializer ("advanced" serialization),
 * which keeps Maps and their order, so features travel as they are; only `DenseFeatures` (a
 * class, whose prototype would not survive) travels as its two arrays.
 */
export type WireFeatures =
  | ReadonlyMap<string, FeatureValue>
  | { names: readonly string[]; values: readonly number[] };

export function featuresToWire(x: RawFeatures): WireFeatures {
  return x instanceof DenseFeatures ? { names: x.names, values: x.values_ } : x;
}

export function featuresFromWire(w: WireFeatures): RawFeatures {
  if (w instanceof Map) return w;
  const d = w as { names: readonly string[]; values: readonly number[] };
  return new DenseFeatures(d.names, d.values);
}

export type WireLearnItem = Omit<LearnItem, "x"> & { x?: WireFeatures };

export function learnItemsToWire(items: readonly LearnItem[]): WireLearnItem[] {
  return items.map((i) => ({ ...i, x: i.x === undefined ? undefined : featuresToWire(i.x) }));
}

export function learnItemsFromWire(items: readonly WireLearnItem[]): LearnItem[] {
  return items.map((i) => ({ ...i, x: i.x === undefined ? undefined : featuresFromWire(i.x) }));
}

export type WireRememberItem = Omit<RememberItem, "x"> & { x: WireFeatures };

export function rememberItemsToWire(items: readonly RememberItem[]): WireRememberItem[] {
  return items.map((i) => ({ ...i, x: featuresToWire(i.x) }));
}

export function rememberItemsFromWire(items: readonly WireRememberItem[]): RememberItem[] {
  return items.map((i) => ({ ...i, x: featuresFromWire(i.x) }));
}

export function errorToWire(err: unknown): WireError {
  if (err instanceof BrookError)
    return { code: err.code, status: err.statusCode, message: err.message, details: err.details };
  if (err instanceof LearnError) return { code: err.code, status: 400, message: err.message };
  return { code: "BROOK_INTERNAL", status: 500, message: (err as Error)?.message ?? String(err) };
}

export function errorFromWire(e: WireError): BrookError {
  return new BrookError(e.code, e.status, e.message, e.details);
}
