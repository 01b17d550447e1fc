import { allFinite, type ParamDef } from "../base/component.js";
import { StateError } from "../base/errors.js";
import type { Value } from "../base/py-values.js";
import { encodeNumber } from "../base/state.js";
import type { Json, JsonObject, RawFeatures } from "../base/types.js";
import { Branch, type BranchKind, type LeafBase, type TreeNode, Walker } from "./nodes.js";
import type { Suggestion } from "./splitters/splitter.js";
import {
  arrayFromJson,
  numberFromJson,
  objectFromJson,
  stringFromJson,
  valueFromJson,
  valueToJson,
} from "./state-codec.js";

/**
 * The machinery both Hoeffding trees share (river/tree/hoeffding_tree.py and the trees'
 * `learn_one`): routing an example to its leaf, split attempts every `grace_period` weight,
 * replacing a leaf by a branch, and Kirkby's memory management.
 */

/** Params common to both trees. */
export interface CoreParams {
  grace_period: number;
  max_depth: number | null;
  delta: number;
  tau: number;
  nominal_attributes: string[] | null;
  binary_split: boolean;
  max_size: number;
  memory_estimate_period: number;
  stop_mem_management: boolean;
  remove_poor_attrs: boolean;
  merit_preprune: boolean;
}

/**
 * The depth limit when `max_depth` is null. River 0.22 reports `max_depth=980` for
 * `max_depth=None` (Python's recursion limit minus 20, as its trees recurse over their depth),
 * so a tree stops growing there too.
 */
export const DEFAULT_MAX_DEPTH = 980;

/** The schema entries shared by both trees (positions follow River's signatures). */
export const coreParamDefs = {
  grace_period: {
    name: "grace_period",
    type: { type: "number", integer: true, min: 1 },
    default: () => 200,
    doc: "Weight a leaf must observe between split attempts.",
  },
  max_depth: {
    name: "max_depth",
    type: { type: "number", integer: true, min: 0, nullable: true },
    default: () => null,
    doc: "Maximum depth of the tree; null for River's default (980).",
  },
  delta: {
    name: "delta",
    type: { type: "number", min: 0, exclusiveMin: true, max: 1 },
    default: () => 1e-7,
    doc: "Significance level of the Hoeffding bound (smaller: later, safer splits).",
  },
  tau: {
    name: "tau",
    type: { type: "number", min: 0 },
    default: () => 0.05,
    doc: "Tie-breaking threshold: split anyway once the Hoeffding bound falls below it.",
  },
  nominal_attributes: {
    name: "nominal_attributes",
    type: { type: "strings", nullable: true },
    default: () => null,
    doc: "Features to treat as nominal even when numeric (string and boolean values always are).",
  },
  binary_split: {
    name: "binary_split",
    type: { type: "boolean" },
    default: () => false,
    doc: "Only binary splits (no multiway split on nominal features).",
  },
  max_size: (dflt: number): ParamDef => ({
    name: "max_size",
    type: { type: "number", min: 0, exclusiveMin: true },
    default: () => dflt,
    doc: "Memory budget of the tree in MiB (estimated with a size model, see the class doc).",
  }),
  memory_estimate_period: {
    name: "memory_estimate_period",
    type: { type: "number", integer: true, min: 1 },
    default: () => 1000000,
    doc: "Weight between two estimates of the tree's size.",
  },
  stop_mem_management: {
    name: "stop_mem_management",
    type: { type: "boolean" },
    default: () => false,
    doc: "Stop growing for good once the memory limit is hit (or any leaf is inactive).",
  },
  remove_poor_attrs: {
    name: "remove_poor_attrs",
    type: { type: "boolean" },
    default: () => false,
    doc: "Drop the observers of features that are clearly worse than the best one.",
  },
  merit_preprune: {
    name: "merit_preprune",
    type: { type: "boolean" },
    default: () => true,
    doc: "Consider not splitting (the null split) as a candidate: pre-pruning.",
  },
} satisfies Record<string, ParamDef | ((d: number) => ParamDef)>;

/** Python's stable `list.sort()` of split candidates by merit (the best ends up last). */
export function sortByMerit<S>(s: Suggestion<S>[]): Suggestion<S>[] {
  return s.sort((a, b) => (a.merit < b.merit ? -1 : b.merit < a.merit ? 1 : 0));
}

/** Bytes per character of a node's JSON state in the size model. */
const BYTES_PER_JSON_CHAR = 4;

/**
 * A Hoeffding tree's state and shared algorithms. `L` is the leaf type, `S` the target
 * statistics (class weights or a variance), `Y` the target.
 */
/** The tree's shape as River's `summary` reports it. */
export interface TreeSummary {
  n_nodes: number;
  n_branches: number;
  n_leaves: number;
  n_active_leaves: number;
  n_inactive_leaves: number;
  height: number;
  total_observed_weight: number;
}

export abstract class TreeCore<L extends LeafBase, S, Y> {
  root: TreeNode<L, S> | null = null;
  nActive = 0;
  nInactive = 0;
  activeLeafSize = 0;
  inactiveLeafSize = 0;
  sizeOverhead = 1;
  growthAllowed = true;
  trainWeight = 0;
  /** What the last learn changed below the root: the leaf it updated, or the branch that split it. */
  private touched: TreeNode<L, S> | null = null;
  readonly walker: Walker<L, S>;
  readonly maxDepth: number;
  readonly maxBytes: number;

  constructor(
    readonly owner: string,
    readonly p: Readonly<CoreParams>,
  ) {
    this.walker = new Walker<L, S>((leaf) => this.leafWeight(leaf));
    this.maxDepth = p.max_depth ?? DEFAULT_MAX_DEPTH;
    this.maxBytes = p.max_size * 2 ** 20;
  }

  /** A new active leaf below `parent` (depth + 1) or at the root; `source` is the leaf being split. */
  abstract newLeaf(stats: S | undefined, parent: { depth: number } | null, source: L | null): L;
  abstract leafWeight(leaf: L): number;
  /** Updates a leaf with an example (statistics, observers, leaf models). */
  abstract learnLeaf(leaf: L, x: RawFeatures, y: Y, w: number): void;
  abstract attemptToSplit(leaf: L, parent: Branch<L, S> | null, parentBranch: number): void;
  /** Kirkby's promise: leaves with the smallest promise are deactivated first. */
  abstract promise(leaf: L): number;
  abstract leafToJson(leaf: L): JsonObject;
  abstract leafFromJson(o: JsonObject, path: string): L;
  abstract statsToJson(stats: S): Json;
  abstract statsFromJson(data: Json | undefined, path: string): S;

  /** Whether the feature gets a nominal observer: listed as nominal, or not a number. */
  isNominal(feature: string, value: unknown): boolean {
    return (this.p.nominal_attributes?.includes(feature) ?? false) || typeof value !== "number";
  }

  /** River's `learn_one` shared by both trees. */
  learn(x: RawFeatures, y: Y, w: number): void {
    this.trainWeight += w;
    if (this.root === null) {
      this.root = this.newLeaf(undefined, null, null);
      this.nActive = 1;
    }
    let node: TreeNode<L, S>;
    let parent: TreeNode<L, S> | null = null;
    if (this.root.isLeaf) node = this.root;
    else {
      const path = this.walker.walk(this.root, x, false);
      node = path[path.length - 1]!;
      parent = path.length > 1 ? path[path.length - 2]! : null;
    }
    if (node.isLeaf) {
      this.touched = node;
      this.learnLeaf(node, x, y, w);
      if (this.growthAllowed && node.splitters !== null) {
        if (node.depth >= this.maxDepth) {
          this.deactivate(node);
        } else {
          const seen = this.leafWeight(node);
          if (seen - node.lastSplitAttemptAt >= this.p.grace_period) {
            const branch = parent !== null && !parent.isLeaf ? parent : null;
            this.attemptToSplit(node, branch, branch ? branch.branchNo(x) : -1);
            node.lastSplitAttemptAt = seen;
          }
        }
      }
    } else {
      // A branch could not route x: grow a branch for a new nominal value, or follow the most
      // common path down to a leaf, which learns without a split attempt.
      let current: TreeNode<L, S> = node;
      while (!current.isLeaf) {
        const value = current.growable ? x.get(current.feature) : undefined;
        if (value !== undefined) {
          const leaf = this.newLeaf(undefined, current, null);
          current.addChild(value, leaf);
          this.nActive++;
          current = leaf;
        } else {
          current = this.walker.mostCommonChild(current);
          if (!current.isLeaf) current = this.walker.traverse(current, x, false);
        }
      }
      this.touched = current;
      this.learnLeaf(current, x, y, w);
    }
    if (this.trainWeight % this.p.memory_estimate_period === 0) this.estimateModelSize();
  }

  /**
   * Whether the tree is finite after a learn, given that it was before: the scalars, and the
   * leaf the learn updated (or the branch that replaced it). A size-limit pass only resets
   * leaves, and a first learn has no tree before it.
   */
  learnedFinite(): boolean {
    const scalars = [this.trainWeight, this.activeLeafSize, this.inactiveLeafSize, this.sizeOverhead];
    if (!scalars.every(Number.isFinite)) return false;
    return allFinite(this.touched ?? this.root);
  }

  /** The leaf that predicts for `x` (River's `traverse(x, until_leaf=True)`). */
  leafFor(x: RawFeatures): L | null {
    if (this.root === null) return null;
    return this.walker.traverse(this.root, x, true) as L;
  }

  /** ε = √(R² ln(1/δ) / 2n). */
  hoeffdingBound(range: number, n: number): number {
    return Math.sqrt((range * range * Math.log(1 / this.p.delta)) / (2 * n));
  }

  deactivate(leaf: L): void {
    leaf.splitters = null;
    this.nInactive++;
    this.nActive--;
  }

  /** Replaces `leaf` by a branch built from the winning suggestion. */
  split(leaf: L, parent: Branch<L, S> | null, parentBranch: number, decision: Suggestion<S>, stats: S): void {
    const children = decision.children!.map((s) => this.newLeaf(s, leaf, leaf));
    const kind: BranchKind = decision.numeric ? "numeric" : decision.multiway ? "multiway" : "nominal";
    const values = kind === "multiway" ? [...(decision.info as Value[])] : [];
    const test = kind === "multiway" ? 0 : (decision.info as number | Value);
    const branch = new Branch<L, S>(kind, decision.feature!, leaf.depth, stats, children, test, values);
    this.nActive += children.length - 1;
    this.touched = branch;
    if (parent === null) this.root = branch;
    else parent.children[parentBranch] = branch;
  }

  /**
   * River's `_enforce_size_limit`, run after every decided split attempt: keeps the most
   * promising leaves active within the memory budget and re-activates the others (an inactive
   * leaf starts over with empty observers). Before the first size estimate every leaf fits, so
   * a leaf deactivated by pre-pruning is re-activated here at once, as in River.
   */
  enforceSizeLimit(): void {
    const treeSize = this.sizeOverhead * (this.activeLeafSize + this.nInactive * this.inactiveLeafSize);
    if ((this.nInactive > 0 || treeSize > this.maxBytes) && this.p.stop_mem_management) {
      this.growthAllowed = false;
      return;
    }
    const leaves = this.walker.leaves(this.root);
    const promises = leaves.map((l) => this.promise(l));
    const order = leaves.map((_, i) => i).sort((a, b) => promises[a]! - promises[b]!);
    const count = leaves.length;
    let maxActive = 0;
    while (maxActive < count) {
      maxActive++;
      const size =
        (maxActive * this.activeLeafSize + (count - maxActive) * this.inactiveLeafSize) * this.sizeOverhead;
      if (size > this.maxBytes) {
        maxActive--;
        break;
      }
    }
    const cutoff = count - maxActive;
    for (let i = 0; i < cutoff; i++) {
      const leaf = leaves[order[i]!]!;
      if (leaf.splitters !== null) this.deactivate(leaf);
    }
    for (let i = cutoff; i < count; i++) {
      const leaf = leaves[order[i]!]!;
      if (leaf.splitters === null && leaf.depth < this.maxDepth) {
        leaf.splitters = new Map();
        this.nActive++;
        this.nInactive--;
      }
    }
  }

  /**
   * River's `_estimate_model_size`. River measures Python objects with `sys.getsizeof`; here a
   * node's size is modelled as 4 bytes per character of its JSON state, which grows with the
   * same things (classes, observers, stored values). Only matters once that estimate passes
   * `max_size`.
   */
  estimateModelSize(): void {
    let activeBytes = 0;
    let inactiveBytes = 0;
    for (const leaf of this.walker.leaves(this.root)) {
      const bytes = BYTES_PER_JSON_CHAR * JSON.stringify(this.leafToJson(leaf)).length;
      if (leaf.splitters !== null) activeBytes += bytes;
      else inactiveBytes += bytes;
    }
    if (activeBytes > 0) this.activeLeafSize = activeBytes / this.nActive;
    if (inactiveBytes > 0) this.inactiveLeafSize = inactiveBytes / this.nInactive;
    const actual = BYTES_PER_JSON_CHAR * JSON.stringify(this.nodeToJson(this.root)).length;
    const estimated = this.nActive * this.activeLeafSize + this.nInactive * this.inactiveLeafSize;
    if (estimated > 0) this.sizeOverhead = actual / estimated;
    if (actual > this.maxBytes) this.enforceSizeLimit();
  }

  /** River's `summary` of the tree: shape, leaf activity and the weight seen. */
  summary(): TreeSummary {
    let nodes = 0;
    let branches = 0;
    let leaves = 0;
    const height = (n: TreeNode<L, S>): number => {
      nodes++;
      if (n.isLeaf) {
        leaves++;
        return 1;
      }
      branches++;
      let h = 0;
      for (const c of n.children) h = Math.max(h, height(c));
      return 1 + h;
    };
    const h = this.root ? height(this.root) : 0;
    return {
      n_nodes: nodes,
      n_branches: branches,
      n_leaves: leaves,
      n_active_leaves: this.nActive,
      n_inactive_leaves: this.nInactive,
      height: h,
      total_observed_weight: this.trainWeight,
    };
  }

  // --- state ---

  /** The common leaf fields. */
  baseLeafJson(leaf: L, observerToJson: (o: unknown) => Json): JsonObject {
    return {
      leaf: true,
      depth: leaf.depth,
      last: encodeNumber(leaf.lastSplitAttemptAt),
      splitters: leaf.splitters === null ? null : [...leaf.splitters].map(([f, o]) => [f, observerToJson(o)]),
      disabled: [...leaf.disabled],
    };
  }

  /** Reads the common leaf fields into `leaf` (which must be fresh). */
  baseLeafFromJson(
    leaf: L,
    o: JsonObject,
    path: string,
    observerFromJson: (feature: string, data: Json, path: string) => unknown,
  ): L {
    const depth = o.depth;
    if (typeof depth !== "number" || !Number.isSafeInteger(depth) || depth < 0) {
      throw new StateError(`${path}.depth must be a non-negative integer`);
    }
    leaf.depth = depth;
    leaf.lastSplitAttemptAt = numberFromJson(o.last, `${path}.last`);
    if (o.splitters === null) leaf.splitters = null;
    else {
      const m = new Map<string, unknown>();
      arrayFromJson(o.splitters, `${path}.splitters`).forEach((item, i) => {
        const p = `${path}.splitters[${i}]`;
        const [f, obs] = arrayFromJson(item, p, 2);
        const feature = stringFromJson(f, `${p}[0]`);
        m.set(feature, observerFromJson(feature, obs ?? null, `${p}[1]`));
      });
      leaf.splitters = m;
    }
    arrayFromJson(o.disabled, `${path}.disabled`).forEach((f, i) => {
      leaf.disabled.add(stringFromJson(f, `${path}.disabled[${i}]`));
    });
    return leaf;
  }

  nodeToJson(node: TreeNode<L, S> | null): Json {
    if (node === null) return null;
    if (node.isLeaf) return this.leafToJson(node);
    return {
      leaf: false,
      kind: node.kind,
      feature: node.feature,
      depth: node.depth,
      test: node.kind === "numeric" ? encodeNumber(node.test as number) : valueToJson(node.test as Value),
      values: node.values.map(valueToJson),
      stats: this.statsToJson(node.stats),
      children: node.children.map((c) => this.nodeToJson(c)),
    };
  }

  nodeFromJson(data: Json | undefined, path: string): TreeNode<L, S> {
    const o = objectFromJson(data, path);
    if (o.leaf === true) return this.leafFromJson(o, path);
    if (o.leaf !== false) throw new StateError(`${path}.leaf must be a boolean`);
    const kind = o.kind;
    if (kind !== "numeric" && kind !== "nominal" && kind !== "multiway") {
      throw new StateError(`${path}.kind must be "numeric", "nominal" or "multiway"`);
    }
    const depth = o.depth;
    if (typeof depth !== "number" || !Number.isSafeInteger(depth) || depth < 0) {
      throw new StateError(`${path}.depth must be a non-negative integer`);
    }
    const children = arrayFromJson(o.children, `${path}.children`).map((c, i) =>
      this.nodeFromJson(c, `${path}.children[${i}]`),
    );
    const values = arrayFromJson(o.values, `${path}.values`).map((v, i) =>
      valueFromJson(v, `${path}.values[${i}]`),
    );
    const count = kind === "multiway" ? values.length : 2;
    if (children.length !== count || count === 0) {
      throw new StateError(`${path}.children must hold ${count || "at least one"} node(s)`);
    }
    const test =
      kind === "numeric" ? numberFromJson(o.test, `${path}.test`) : valueFromJson(o.test, `${path}.test`);
    return new Branch<L, S>(
      kind,
      stringFromJson(o.feature, `${path}.feature`),
      depth,
      this.statsFromJson(o.stats, `${path}.stats`),
      children,
      test,
      values,
    );
  }

  exportState(): JsonObject {
    return {
      train_weight: encodeNumber(this.trainWeight),
      n_active: this.nActive,
      n_inactive: this.nInactive,
      growth_allowed: this.growthAllowed,
      active_leaf_size: encodeNumber(this.activeLeafSize),
      inactive_leaf_size: encodeNumber(this.inactiveLeafSize),
      size_overhead: encodeNumber(this.sizeOverhead),
      root: this.nodeToJson(this.root),
    };
  }

  /** Validates everything, then assigns (a bad state changes nothing). */
  importState(o: JsonObject, path: string): void {
    const count = (key: string): number => {
      const v = o[key];
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
        throw new StateError(`${path}.${key} must be a non-negative integer`);
      }
      return v;
    };
    const trainWeight = numberFromJson(o.train_weight, `${path}.train_weight`);
    const nActive = count("n_active");
    const nInactive = count("n_inactive");
    if (typeof o.growth_allowed !== "boolean")
      throw new StateError(`${path}.growth_allowed must be a boolean`);
    const activeLeafSize = numberFromJson(o.active_leaf_size, `${path}.active_leaf_size`);
    const inactiveLeafSize = numberFromJson(o.inactive_leaf_size, `${path}.inactive_leaf_size`);
    const sizeOverhead = numberFromJson(o.size_overhead, `${path}.size_overhead`);
    if (o.root === undefined) throw new StateError(`${path}.root must be present`);
    const root = o.root === null ? null : this.nodeFromJson(o.root, `${path}.root`);
    this.trainWeight = trainWeight;
    this.nActive = nActive;
    this.nInactive = nInactive;
    this.growthAllowed = o.growth_allowed;
    this.activeLeafSize = activeLeafSize;
    this.inactiveLeafSize = inactiveLeafSize;
    this.sizeOverhead = sizeOverhead;
    this.root = root;
  }
}
