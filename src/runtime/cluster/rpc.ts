/**
 * The typed calls a cluster worker forwards to the primary, derived from {@link ModelOps}: a
 * new operation is one entry in {@link OPS}, and the compiler checks the worker's arguments
 * and the primary's dispatch against the same signature.
 */
import { internNames } from "../../codec/feature-names.js";
import { DenseFeatures, type FeatureValue, type RawFeatures } from "../../learn/index.js";
import type { LearnItem, RememberItem } from "../../models/admission.js";
import type { LearnOptions } from "../../models/writer.js";
import type { ModelOps } from "../ops.js";

export type OpName = keyof ModelOps;
type Args<K extends OpName> = Parameters<ModelOps[K]>;
type Result<K extends OpName> = Awaited<ReturnType<ModelOps[K]>>;

/** How an operation's arguments cross the channel, when they need more than V8's serializer. */
interface ArgsCodec<K extends OpName> {
  encode(args: Args<K>): unknown[];
  decode(wire: unknown[]): Args<K>;
}

/**
 * Every operation, with its argument codec when it has one. The channel uses V8's serializer
 * ("advanced" serialization), which keeps Maps and their order, so most values travel as they
 * are; `DenseFeatures` (a class, whose prototype would not survive) travels as its two arrays.
 */
const OPS: { [K in OpName]: ArgsCodec<K> | null } = {
  health: null,
  list: null,
  details: null,
  learn: {
    encode: ([name, items, options]) => [name, items.map(learnItemToWire), options],
    decode: ([name, items, options]) => [
      name as string,
      (items as WireLearnItem[]).map(learnItemFromWire),
      options as LearnOptions | undefined,
    ],
  },
  remember: {
    encode: ([name, items]) => [name, items.map((i) => ({ ...i, x: featuresToWire(i.x) }))],
    decode: ([name, items]) => [
      name as string,
      (items as WireRememberItem[]).map((i) => ({ ...i, x: featuresFromWire(i.x) })),
    ],
  },
  create: null,
  delete: null,
  checkpoint: null,
  checkpoints: null,
  rollback: null,
  import: null,
};

export const OP_NAMES = Object.keys(OPS) as OpName[];

/** A call as it crosses the channel. */
export interface Call {
  id: number;
  op: OpName;
  args: unknown[];
}

/** Encodes a call to `op`. */
export function encodeCall<K extends OpName>(id: number, op: K, args: Args<K>): Call {
  const codec = OPS[op] as ArgsCodec<K> | null;
  return { id, op, args: codec ? codec.encode(args) : args };
}

/** Runs a call against the operations it was forwarded to (the primary's `LocalBackend`). */
export async function dispatch(ops: ModelOps, call: Call): Promise<unknown> {
  // A message is data from another process: check it before trusting its shape.
  if (!Object.hasOwn(OPS, call.op) || !Array.isArray(call.args))
    throw new Error(`malformed call ${String(call.op)}`);
  const codec = OPS[call.op] as ArgsCodec<OpName> | null;
  const args = codec ? codec.decode(call.args) : call.args;
  // One cast for every operation: `args` was encoded from `Args<op>` by encodeCall.
  return (ops[call.op] as (...a: unknown[]) => Promise<unknown>).apply(ops, args as unknown[]);
}

/** The operations as a client of the channel: each one forwards its call through `send`. */
export function forwarders(send: <K extends OpName>(op: K, args: Args<K>) => Promise<Result<K>>): ModelOps {
  const out: Partial<Record<OpName, unknown>> = {};
  for (const op of OP_NAMES) out[op] = (...args: never[]) => send(op, args as never);
  return out as ModelOps;
}

type WireFeatures =
  | ReadonlyMap<string, FeatureValue>
  | { names: readonly string[]; values: readonly number[] };

function featuresToWire(x: RawFeatures): WireFeatures {
  return x instanceof DenseFeatures ? { names: x.names, values: x.values_ } : x;
}

function featuresFromWire(w: WireFeatures): RawFeatures {
  if (w instanceof Map) return w;
  const d = w as { names: readonly string[]; values: readonly number[] };
  // Each message brings its own copy of the names: interned, the model finds its slots at once.
  return new DenseFeatures(internNames(d.names), d.values);
}

type WireLearnItem = Omit<LearnItem, "x"> & { x?: WireFeatures };
type WireRememberItem = Omit<RememberItem, "x"> & { x: WireFeatures };

function learnItemToWire(i: LearnItem): WireLearnItem {
  return { ...i, x: i.x === undefined ? undefined : featuresToWire(i.x) };
}

function learnItemFromWire(i: WireLearnItem): LearnItem {
  return { ...i, x: i.x === undefined ? undefined : featuresFromWire(i.x) };
}
