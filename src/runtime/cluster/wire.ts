import { BrookError } from "../../errors.js";
import { LearnError } from "../../learn/index.js";
import type { PredictOutcome } from "../../models/model-host.js";
import type { LearnItem } from "../../models/writer.js";
import { featuresFromText, featuresText, predictionFrom, predictionJson } from "../../store/events.js";
import type { RememberItem } from "../backend.js";
import type { WireError } from "./protocol.js";

/**
 * What crosses the IPC channel in JSON: features keep their order as JSON text (plain objects
 * would move integer-like names first), predictions use the log's encoding.
 */

export interface WireLearnItem {
  x?: string;
  id?: string;
  y?: unknown;
  eid?: string;
}

export function learnItemsToWire(items: readonly LearnItem[]): WireLearnItem[] {
  return items.map((i) => ({
    x: i.x === undefined ? undefined : featuresText(i.x),
    id: i.id,
    y: i.y,
    eid: i.eid,
  }));
}

export function learnItemsFromWire(items: readonly WireLearnItem[]): LearnItem[] {
  return items.map((i) => ({
    x: i.x === undefined ? undefined : featuresFromText(i.x),
    id: i.id,
    y: i.y as LearnItem["y"],
    eid: i.eid,
  }));
}

export interface WireRememberItem {
  x: string;
  p: unknown;
  prediction: unknown;
  score?: boolean;
  id?: string;
}

export function rememberItemsToWire(items: readonly RememberItem[]): WireRememberItem[] {
  return items.map((i) => ({
    x: featuresText(i.x),
    p: predictionJson(i.outcome.probabilities ?? null),
    prediction: i.outcome.prediction ?? null,
    score: i.outcome.score,
    id: i.id,
  }));
}

export function rememberItemsFromWire(items: readonly WireRememberItem[]): RememberItem[] {
  return items.map((i) => {
    const probabilities = predictionFrom(i.p as never);
    const outcome: PredictOutcome = {
      prediction: (i.prediction ?? undefined) as PredictOutcome["prediction"],
      probabilities: probabilities instanceof Map ? probabilities : undefined,
    };
    if (i.score) outcome.score = true;
    return { x: featuresFromText(i.x), outcome, id: i.id };
  });
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
