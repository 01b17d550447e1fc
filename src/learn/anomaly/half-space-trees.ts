import type { Schema } from "../base/component.js";
import { LearnError, ParamError, StateError } from "../base/errors.js";
import { AnomalyDetector } from "../base/estimator.js";
import { pyCompareStrings } from "../base/py-values.js";
import { encodeNumbers, StateReader } from "../base/state.js";
import type { Json, RawFeatures } from "../base/types.js";
import { entropySeed, PythonRandom } from "../math/python-random.js";

export interface HalfSpaceTreesParams {
  n_trees: number;
  height: number;
  window_size: number;
  /** `"feature:lo:hi"` entries (`null`: none); features not listed are assumed to lie in [0, 1]. */
  limits: string[] | null;
  /** `null` draws a seed from the platform's cryptographic RNG when the trees are built. */
  seed: number | null;
}

/** River hard-codes this: a split is drawn from the middle 70% of a node's range. */
const PADDING = 0.15;

/** Upper bound on the nodes of all trees together (2**24, about 400 MB of state at most). */
const MAX_NODES = 2 ** 24;

/** Parses `"feature:lo:hi"` (the feature name may itself contain colons). */
function parseLimit(entry: string): [string, number, number] {
  const hiAt = entry.lastIndexOf(":");
  const loAt = hiAt > 0 ? entry.lastIndexOf(":", hiAt - 1) : -1;
  const bad = () =>
    new ParamError(
      `HalfSpaceTrees.limits entries must look like "feature:lo:hi" with lo < hi, got "${entry}"`,
    );
  if (loAt <= 0) throw bad();
  const loText = entry.slice(loAt + 1, hiAt).trim();
  const hiText = entry.slice(hiAt + 1).trim();
  const lo = Number(loText);
  const hi = Number(hiText);
  if (loText === "" || hiText === "" || !Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi))
    throw bad();
  return [entry.slice(0, loAt), lo, hi];
}

/** The trees of a fitted model, stored flat: tree t's node i is at `t * nodes + i` (heap order). */
interface Forest {
  /** Feature names the trees split on: the keys of the first learned x, sorted like Python's `sorted`. */
  features: string[];
  /** The seed the trees were drawn with (recorded so that a restore continues identically). */
  seed: number;
  /** Per branch: index into `features`. */
  splitFeature: Int32Array;
  /** Per branch: go left when `x[feature] < threshold`. */
  threshold: Float64Array;
  /** Per node: examples counted in the current window. */
  lMass: Float64Array;
  /** Per node: examples counted in the last complete window (the reference profile). */
  rMass: Float64Array;
}

/**
 * Half-Space Trees (River's `anomaly.HalfSpaceTrees`, after Tan, Ting & Liu 2011): an online
 * isolation forest of random, fixed, fully grown trees over the feature box. Each node counts
 * how many examples of the current window fall into it; at the end of every window these
 * counts become the reference masses used to score. A point in a sparsely populated region
 * gets a score near 1 (River's convention: higher is more anomalous); the score is 0 until
 * the first window is complete.
 *
 * The trees are drawn on the first `learnOne` from the keys of that x (sorted by name), with
 * Python's Mersenne Twister seeded like `random.Random(seed)`, calling it exactly as River
 * does, so a seeded model splits on the same features at the same thresholds as River.
 * Features that were not in the first x are never split on. A split feature missing from x
 * sends x to the child that has counted more examples in the current window (left on ties).
 */
export class HalfSpaceTrees extends AnomalyDetector<HalfSpaceTreesParams> {
  static readonly kind = "HalfSpaceTrees";
  static readonly schema: Schema = [
    {
      name: "n_trees",
      type: { type: "number", integer: true, min: 1 },
      default: () => 10,
      doc: "Number of trees.",
    },
    {
      name: "height",
      type: { type: "number", integer: true, min: 0, max: 20 },
      default: () => 8,
      doc: "Height of each tree (a tree of height h has 2**(h+1) - 1 nodes; at most 20 here).",
    },
    {
      name: "window_size",
      type: { type: "number", integer: true, min: 1 },
      default: () => 250,
      doc: "Number of examples per window: the reference masses are the counts of the last full window.",
    },
    {
      name: "limits",
      type: { type: "strings", nullable: true },
      default: () => null,
      doc: 'Range of each feature as "feature:lo:hi" (River\'s limits dict); unlisted features are in [0, 1].',
    },
    {
      name: "seed",
      type: {
        type: "number",
        integer: true,
        nullable: true,
        random: true,
        min: -Number.MAX_SAFE_INTEGER,
        max: Number.MAX_SAFE_INTEGER,
      },
      default: () => null,
      doc: "Seed of Python's random.Random that draws the trees (as in Python, -n seeds like n; None: a fresh random seed).",
    },
  ];

  private readonly limitsByName = new Map<string, [number, number]>();
  private readonly nodesPerTree: number;
  private readonly branchesPerTree: number;
  private forest: Forest | null = null;
  private counter = 0;
  private firstWindow = true;

  constructor(params?: Partial<HalfSpaceTreesParams>) {
    super(HalfSpaceTrees.kind, HalfSpaceTrees.schema, params);
    for (const entry of this.params.limits ?? []) {
      const [name, lo, hi] = parseLimit(entry);
      this.limitsByName.set(name, [lo, hi]);
    }
    this.nodesPerTree = 2 ** (this.params.height + 1) - 1;
    this.branchesPerTree = 2 ** this.params.height - 1;
    // Guards the server against a spec that would allocate gigabytes (the default forest has 5,110 nodes).
    if (this.params.n_trees * this.nodesPerTree > MAX_NODES) {
      throw new ParamError(
        `HalfSpaceTrees: n_trees * (2**(height+1) - 1) must be at most ${MAX_NODES} nodes, got ${this.params.n_trees * this.nodesPerTree}`,
      );
    }
  }

  /** River's `size_limit`: scoring stops descending at a node with fewer reference examples. */
  private get sizeLimit(): number {
    return 0.1 * this.params.window_size;
  }

  /** River's `_max_score`: n_trees * window_size * (2**(height+1) - 1). */
  private get maxScore(): number {
    return this.params.n_trees * this.params.window_size * this.nodesPerTree;
  }

  /** Draws the trees for the features of the first x, as River's `make_padded_tree` does, tree by tree. */
  private grow(x: RawFeatures): Forest {
    const features = [...x.keys()].sort(pyCompareStrings);
    if (features.length === 0 && this.params.height > 0) {
      throw new LearnError(
        "BROOK_INVALID_FEATURES",
        "HalfSpaceTrees draws its trees from the features of the first example: it needs at least one",
      );
    }
    const seed = this.params.seed ?? entropySeed();
    const rng = new PythonRandom(seed);
    const { n_trees: nTrees } = this.params;
    const nodes = this.nodesPerTree;
    const branches = this.branchesPerTree;
    const splitFeature = new Int32Array(nTrees * branches);
    const threshold = new Float64Array(nTrees * branches);
    const lo = features.map((f) => this.limitsByName.get(f)?.[0] ?? 0);
    const hi = features.map((f) => this.limitsByName.get(f)?.[1] ?? 1);
    const population = features.map((_, i) => i);
    // Preorder, like River's recursion: the node's split, then its whole left subtree, then the right one.
    const build = (base: number, node: number): void => {
      if (node >= branches) return;
      const weights = population.map((i) => hi[i]! - lo[i]!);
      const on = rng.choices(population, weights)[0]!;
      const a = lo[on]!;
      const b = hi[on]!;
      const at = rng.uniform(a + PADDING * (b - a), b - PADDING * (b - a));
      splitFeature[base + node] = on;
      threshold[base + node] = at;
      hi[on] = at;
      build(base, 2 * node + 1);
      hi[on] = b;
      lo[on] = at;
      build(base, 2 * node + 2);
      lo[on] = a;
    };
    for (let t = 0; t < nTrees; t++) build(t * branches, 0);
    return {
      features,
      seed,
      splitFeature,
      threshold,
      lMass: new Float64Array(nTrees * nodes),
      rMass: new Float64Array(nTrees * nodes),
    };
  }

  /** Index (within its tree) of the child of branch `node` that x goes to. */
  private next(f: Forest, tree: number, node: number, x: RawFeatures): number {
    const b = tree * this.branchesPerTree + node;
    const value = x.get(f.features[f.splitFeature[b]!]!);
    const left = 2 * node + 1;
    if (value === undefined) {
      const base = tree * this.nodesPerTree;
      return f.lMass[base + left]! < f.lMass[base + left + 1]! ? left + 1 : left;
    }
    return (value as number) < f.threshold[b]! ? left : left + 1;
  }

  learnOne(x: RawFeatures): void {
    if (this.forest === null) this.forest = this.grow(x);
    const f = this.forest;
    const { n_trees: nTrees, window_size: windowSize } = this.params;
    const nodes = this.nodesPerTree;
    const branches = this.branchesPerTree;
    for (let t = 0; t < nTrees; t++) {
      let node = 0;
      for (;;) {
        f.lMass[t * nodes + node]!++;
        if (node >= branches) break;
        node = this.next(f, t, node, x);
      }
    }
    this.counter++;
    if (this.counter === windowSize) {
      f.rMass.set(f.lMass);
      f.lMass.fill(0);
      this.firstWindow = false;
      this.counter = 0;
    }
  }

  /** River's `score_one`: 0 during the first window, else 1 - (mass-weighted depth sum) / max score. */
  scoreOne(x: RawFeatures): number {
    const f = this.forest;
    if (this.firstWindow || f === null) return 0;
    const nodes = this.nodesPerTree;
    const branches = this.branchesPerTree;
    const sizeLimit = this.sizeLimit;
    let score = 0;
    for (let t = 0; t < this.params.n_trees; t++) {
      let node = 0;
      for (let depth = 0; ; depth++) {
        const mass = f.rMass[t * nodes + node]!;
        score += mass * 2 ** depth;
        if (mass < sizeLimit || node >= branches) break;
        node = this.next(f, t, node, x);
      }
    }
    return 1 - score / this.maxScore;
  }

  /** The seed the trees were drawn with (`null` until the first `learnOne`). */
  get seedUsed(): number | null {
    return this.forest?.seed ?? null;
  }

  /** Each tree's branches in preorder as `[feature, threshold]` (empty before the first `learnOne`). */
  get splits(): [string, number][][] {
    const f = this.forest;
    if (f === null) return [];
    return this.perTree((t, order) =>
      order
        .filter((node) => node < this.branchesPerTree)
        .map((node): [string, number] => {
          const b = t * this.branchesPerTree + node;
          return [f.features[f.splitFeature[b]!]!, f.threshold[b]!];
        }),
    );
  }

  /** Each tree's node masses in preorder (River's `iter_dfs`): current window and reference window. */
  get masses(): { l_mass: number[]; r_mass: number[] }[] {
    const f = this.forest;
    if (f === null) return [];
    return this.perTree((t, order) => ({
      l_mass: order.map((node) => f.lMass[t * this.nodesPerTree + node]!),
      r_mass: order.map((node) => f.rMass[t * this.nodesPerTree + node]!),
    }));
  }

  private perTree<T>(fn: (tree: number, preorder: number[]) => T): T[] {
    const order: number[] = [];
    const visit = (node: number): void => {
      order.push(node);
      if (node < this.branchesPerTree) {
        visit(2 * node + 1);
        visit(2 * node + 2);
      }
    };
    visit(0);
    return Array.from({ length: this.params.n_trees }, (_, t) => fn(t, order));
  }

  exportState(): Json {
    const f = this.forest;
    return {
      counter: this.counter,
      first_window: this.firstWindow,
      forest:
        f === null
          ? null
          : {
              seed: f.seed,
              features: f.features.slice(),
              split_feature: Array.from(f.splitFeature),
              threshold: encodeNumbers(f.threshold),
              l_mass: Array.from(f.lMass),
              r_mass: Array.from(f.rMass),
            },
    };
  }

  importState(data: Json): void {
    const r = new StateReader(data, this.kind);
    const counter = r.count("counter");
    const firstWindow = r.boolean("first_window");
    if (counter >= this.params.window_size) {
      throw new StateError(`${this.kind}.counter must be below window_size (${this.params.window_size})`);
    }
    let forest: Forest | null = null;
    if (r.raw("forest") !== null) {
      forest = this.readForest(r.object("forest"));
    } else if (counter !== 0 || !firstWindow) {
      throw new StateError(`${this.kind}: a model that has learned must have its trees (forest)`);
    }
    this.forest = forest;
    this.counter = counter;
    this.firstWindow = firstWindow;
  }

  private readForest(r: StateReader): Forest {
    const { n_trees: nTrees, seed: fixedSeed } = this.params;
    const seed = r.number("seed");
    if (!Number.isSafeInteger(seed)) throw new StateError(`${this.kind}.forest.seed must be an integer`);
    if (fixedSeed !== null && seed !== fixedSeed) {
      throw new StateError(`${this.kind}.forest.seed must be ${fixedSeed} (the seed param)`);
    }
    const features = r.names("features");
    if (features.length === 0 && this.params.height > 0) {
      throw new StateError(`${this.kind}.forest.features must not be empty`);
    }
    const nBranches = nTrees * this.branchesPerTree;
    const nNodes = nTrees * this.nodesPerTree;
    const split = r.numbers("split_feature", nBranches);
    const threshold = r.numbers("threshold", nBranches);
    const lMass = r.counts("l_mass", nNodes);
    const rMass = r.counts("r_mass", nNodes);
    for (const v of split) {
      if (!Number.isInteger(v) || v < 0 || v >= features.length) {
        throw new StateError(`${this.kind}.forest.split_feature must hold indices into features`);
      }
    }
    for (const v of threshold) {
      if (!Number.isFinite(v)) throw new StateError(`${this.kind}.forest.threshold must be finite numbers`);
    }
    for (const masses of [lMass, rMass]) {
      for (const v of masses) {
        if (!Number.isInteger(v) || v < 0 || v > this.params.window_size) {
          throw new StateError(`${this.kind}.forest masses must be counts of at most window_size`);
        }
      }
    }
    return { features, seed, splitFeature: Int32Array.from(split), threshold, lMass, rMass };
  }
}
