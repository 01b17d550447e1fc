import type { Schema } from "../base/component.js";
import { ParamError, StateError } from "../base/errors.js";
import { Classifier } from "../base/estimator.js";
import { pyEquals, pySorted } from "../base/py-values.js";
import { encodeNumber } from "../base/state.js";
import type { FeatureValue, Json, JsonObject, Label, Proba, RawFeatures } from "../base/types.js";
import { type CoreParams, coreParamDefs, sortByMerit, TreeCore, type TreeSummary } from "./core.js";
import type { Branch, LeafBase } from "./nodes.js";
import {
  type ClassCriterion,
  type ClassDist,
  GiniCriterion,
  HellingerCriterion,
  InfoGainCriterion,
  sumValues,
} from "./split-criteria.js";
import { GaussianSplitter } from "./splitters/gaussian.js";
import { NominalClassObserver } from "./splitters/nominal.js";
import {
  type ClassObserver,
  type ClassSplitter,
  nullSuggestion,
  type Suggestion,
} from "./splitters/splitter.js";
import { arrayFromJson, labelFromJson, numberFromJson, objectFromJson } from "./state-codec.js";

/** Constructor params of {@link HoeffdingTreeClassifier} (River's names and defaults). */
export interface HoeffdingTreeClassifierParams extends CoreParams {
  split_criterion: "info_gain" | "gini" | "hellinger";
  leaf_prediction: "nba" | "mc" | "nb";
  nb_threshold: number;
  splitter: ClassSplitter;
  min_branch_fraction: number;
  max_share_to_split: number;
}

/** A classification leaf: class weights, observers, and (for 'nba') which predictor has been right. */
interface ClassLeaf extends LeafBase {
  stats: ClassDist;
  splitters: Map<string, ClassObserver> | null;
  /** Weight the majority class predicted correctly (adaptive naive Bayes). */
  mcCorrect: number;
  /** Weight naive Bayes predicted correctly. */
  nbCorrect: number;
}

/** The first key with the largest value (Python's `max(d, key=d.get)`); undefined when empty. */
function argmaxKey(d: ClassDist): Label | undefined {
  let best: Label | undefined;
  let bestV = 0;
  for (const [k, v] of d) {
    if (best === undefined || v > bestV) {
      best = k;
      bestV = v;
    }
  }
  return best;
}

/** River's `normalize_values_in_dict(d, inplace=False)`: divided by the sum, or a plain copy when it is 0. */
function normalized(d: ClassDist): ClassDist {
  const total = sumValues(d);
  const out: ClassDist = new Map();
  if (total === 0 || Number.isNaN(total)) {
    for (const [k, v] of d) out.set(k, v);
  } else {
    for (const [k, v] of d) out.set(k, v / total);
  }
  return out;
}

class ClassifierCore extends TreeCore<ClassLeaf, ClassDist, Label> {
  /** Classes seen, in first-seen order (predictions list them sorted). */
  readonly classes = new Set<Label>();

  constructor(
    owner: string,
    readonly q: Readonly<HoeffdingTreeClassifierParams>,
  ) {
    super(owner, q);
  }

  newLeaf(stats: ClassDist | undefined, parent: { depth: number } | null): ClassLeaf {
    const s = stats ?? new Map();
    return {
      isLeaf: true,
      stats: s,
      depth: parent ? parent.depth + 1 : 0,
      splitters: new Map(),
      disabled: new Set(),
      lastSplitAttemptAt: s.size ? sumValues(s) : 0,
      mcCorrect: 0,
      nbCorrect: 0,
    };
  }

  leafWeight(leaf: ClassLeaf): number {
    return leaf.stats.size ? sumValues(leaf.stats) : 0;
  }

  promise(leaf: ClassLeaf): number {
    const total = sumValues(leaf.stats);
    return total > 0 ? total - maxValue(leaf.stats) : 0;
  }

  /**
   * River's `do_naive_bayes_prediction`: log prior plus the log densities of the features
   * present in x, normalized with log-sum-exp. A class with zero weight gets a log score of 0
   * (River's behaviour). `insert` is set only while learning (see `ClassObserver.condProba`).
   */
  naiveBayes(x: RawFeatures, leaf: ClassLeaf, insert: boolean): ClassDist {
    const stats = leaf.stats;
    const total = sumValues(stats);
    const votes: ClassDist = new Map();
    if (stats.size === 0 || total === 0) return votes;
    const splitters = leaf.splitters;
    for (const [label, weight] of stats) {
      if (!(weight > 0)) {
        votes.set(label, 0);
        continue;
      }
      let v = Math.log(weight / total);
      if (splitters !== null && splitters.size > 0) {
        for (const [feature, obs] of splitters) {
          const value = x.get(feature);
          if (value === undefined) continue;
          const p = obs.condProba(value, label, insert);
          v += p > 0 ? Math.log(p) : 0;
        }
      }
      votes.set(label, v);
    }
    let maxLL = 0;
    let first = true;
    for (const v of votes.values()) {
      if (first || v > maxLL) maxLL = v;
      first = false;
    }
    let sum = 0;
    for (const v of votes.values()) sum += Math.exp(v - maxLL);
    const lse = maxLL + Math.log(sum);
    for (const [label, v] of votes) votes.set(label, Math.exp(v - lse));
    return votes;
  }

  /** The leaf's class probabilities (River's `prediction`), by leaf type. */
  leafPrediction(leaf: ClassLeaf, x: RawFeatures): ClassDist {
    const active = leaf.splitters !== null;
    switch (this.q.leaf_prediction) {
      case "mc":
        return normalized(leaf.stats);
      case "nb":
        return active && this.leafWeight(leaf) >= this.q.nb_threshold
          ? this.naiveBayes(x, leaf, false)
          : normalized(leaf.stats);
      default:
        return active && leaf.nbCorrect >= leaf.mcCorrect
          ? this.naiveBayes(x, leaf, false)
          : normalized(leaf.stats);
    }
  }

  learnLeaf(leaf: ClassLeaf, x: RawFeatures, y: Label, w: number): void {
    if (this.q.leaf_prediction === "nba" && leaf.splitters !== null) {
      // Score both predictors on x before learning it.
      const mc = normalized(leaf.stats);
      const mcBest = argmaxKey(mc);
      if (leaf.stats.size === 0 || (mcBest !== undefined && pyEquals(mcBest, y))) leaf.mcCorrect += w;
      const nb = this.naiveBayes(x, leaf, true);
      const nbBest = argmaxKey(nb);
      if (nb.size > 0 && nbBest !== undefined && pyEquals(nbBest, y)) leaf.nbCorrect += w;
    }
    const current = leaf.stats.get(y);
    leaf.stats.set(y, current === undefined ? w : current + w);
    if (leaf.splitters !== null) this.updateSplitters(leaf, x, y, w);
  }

  private updateSplitters(leaf: ClassLeaf, x: RawFeatures, y: Label, w: number): void {
    const splitters = leaf.splitters!;
    for (const [feature, value] of x) {
      if (leaf.disabled.has(feature)) continue;
      let obs = splitters.get(feature);
      if (obs === undefined) {
        obs = this.isNominal(feature, value) ? new NominalClassObserver() : this.q.splitter.newObserver();
        splitters.set(feature, obs);
      }
      obs.update(value as FeatureValue, y, w);
    }
  }

  private criterion(): ClassCriterion {
    const f = this.q.min_branch_fraction;
    switch (this.q.split_criterion) {
      case "gini":
        return new GiniCriterion(f);
      case "hellinger":
        return new HellingerCriterion(f);
      default:
        return new InfoGainCriterion(f);
    }
  }

  private suggestions(leaf: ClassLeaf, criterion: ClassCriterion): Suggestion<ClassDist>[] {
    const majority = maxValue(leaf.stats);
    // Only try to split when the majority class does not dominate the leaf.
    if (majority && majority / this.leafWeight(leaf) > this.q.max_share_to_split) {
      return [nullSuggestion()];
    }
    const out: Suggestion<ClassDist>[] = [];
    if (this.q.merit_preprune) out.push(nullSuggestion());
    for (const [feature, obs] of leaf.splitters ?? []) {
      out.push(obs.bestSplit(criterion, leaf.stats, feature, this.q.binary_split));
    }
    return out;
  }

  attemptToSplit(leaf: ClassLeaf, parent: Branch<ClassLeaf, ClassDist> | null, parentBranch: number): void {
    if (isPure(leaf.stats)) return;
    const criterion = this.criterion();
    const suggestions = sortByMerit(this.suggestions(leaf, criterion));
    let shouldSplit = false;
    if (suggestions.length < 2) {
      shouldSplit = suggestions.length > 0;
    } else {
      const bound = this.hoeffdingBound(criterion.rangeOfMerit(leaf.stats), this.leafWeight(leaf));
      const best = suggestions[suggestions.length - 1]!;
      const second = suggestions[suggestions.length - 2]!;
      if (best.merit - second.merit > bound || bound < this.q.tau) shouldSplit = true;
      if (this.q.remove_poor_attrs) {
        const poor = new Set<string>();
        for (const s of suggestions) {
          if (s.feature && best.merit - s.merit > bound) poor.add(s.feature);
        }
        // Naive Bayes leaves keep every observer (they use them to predict).
        if (this.q.leaf_prediction === "mc") for (const f of poor) disable(leaf, f);
      }
    }
    if (!shouldSplit) return;
    const decision = suggestions[suggestions.length - 1]!;
    if (decision.feature === null) this.deactivate(leaf);
    else this.split(leaf, parent, parentBranch, decision, leaf.stats);
    this.enforceSizeLimit();
  }

  predictProba(x: RawFeatures): Proba {
    const proba: Proba = new Map();
    for (const c of pySorted(this.classes)) proba.set(c, 0);
    const leaf = this.leafFor(x);
    if (leaf !== null) {
      for (const [label, p] of this.leafPrediction(leaf, x)) proba.set(label, p);
    }
    return proba;
  }

  leafToJson(leaf: ClassLeaf): JsonObject {
    const o = this.baseLeafJson(leaf, (obs) => (obs as ClassObserver).toJson());
    o.stats = this.statsToJson(leaf.stats);
    o.mc_correct = encodeNumber(leaf.mcCorrect);
    o.nb_correct = encodeNumber(leaf.nbCorrect);
    return o;
  }

  leafFromJson(o: JsonObject, path: string): ClassLeaf {
    const leaf = this.newLeaf(this.statsFromJson(o.stats, `${path}.stats`), null);
    leaf.mcCorrect = numberFromJson(o.mc_correct, `${path}.mc_correct`);
    leaf.nbCorrect = numberFromJson(o.nb_correct, `${path}.nb_correct`);
    return this.baseLeafFromJson(leaf, o, path, (_feature, data, p) => {
      const type = objectFromJson(data, p).type;
      return type === "nominal"
        ? NominalClassObserver.fromJson(data, p)
        : this.q.splitter.observerFromJson(data, p);
    });
  }

  statsToJson(stats: ClassDist): Json {
    return [...stats].map(([label, w]) => [label, encodeNumber(w)]);
  }

  statsFromJson(data: Json | undefined, path: string): ClassDist {
    const out: ClassDist = new Map();
    arrayFromJson(data, path).forEach((item, i) => {
      const [label, w] = arrayFromJson(item, `${path}[${i}]`, 2);
      out.set(labelFromJson(label, `${path}[${i}][0]`), numberFromJson(w, `${path}[${i}][1]`));
    });
    return out;
  }
}

/** Python's `max(d.values())`. */
function maxValue(d: ClassDist): number {
  let best = 0;
  let first = true;
  for (const v of d.values()) {
    if (first || v > best) best = v;
    first = false;
  }
  return best;
}

/** Fewer than two classes with non-zero weight. */
function isPure(d: ClassDist): boolean {
  let count = 0;
  for (const v of d.values()) {
    if (v !== 0 && ++count === 2) return false;
  }
  return true;
}

/** River's `HTLeaf.disable_attribute`. */
function disable(leaf: LeafBase, feature: string): void {
  if (leaf.splitters?.has(feature)) {
    leaf.splitters.delete(feature);
    leaf.disabled.add(feature);
  }
}

/**
 * Hoeffding tree (VFDT) classifier, River 0.22's `tree.HoeffdingTreeClassifier`.
 *
 * Each leaf keeps class weights and one observer per feature (the `splitter`, Gaussian by
 * default, for numbers; class counts per value for strings, booleans and `nominal_attributes`).
 * Every `grace_period` weight an impure leaf compares its best split candidates: it splits when
 * the best beats the second by more than the Hoeffding bound ε = √(R² ln(1/δ) / 2n), or when
 * ε < `tau`. Leaves predict with the majority class ('mc'), naive Bayes ('nb'), or whichever of
 * the two has been right more often on the leaf's own examples ('nba', the default).
 * `predictProbaOne` lists every class seen, sorted, and is empty before the first example.
 *
 * River details kept on purpose: a leaf whose majority class exceeds `max_share_to_split`, or
 * whose best candidate is the null split, is deactivated and at once re-activated with empty
 * observers by the memory manager; a class with zero weight in a leaf gets a naive-Bayes log
 * score of 0. Differences: boolean feature values are nominal (River treats them as numbers);
 * a string value on a numeric test is routed like a missing value (River raises); prediction
 * never changes the model (River's nominal observers insert zero counts while predicting with
 * naive Bayes; they still do while learning, where River's 'nba' leaves do it too). The memory
 * estimate is a size model (see `TreeCore.estimateModelSize`).
 */
export class HoeffdingTreeClassifier extends Classifier<HoeffdingTreeClassifierParams> {
  static readonly kind = "HoeffdingTreeClassifier";
  static readonly schema: Schema = [
    coreParamDefs.grace_period,
    coreParamDefs.max_depth,
    {
      name: "split_criterion",
      type: { type: "string", choices: ["info_gain", "gini", "hellinger"] },
      default: () => "info_gain",
      doc: "Merit of a split: information gain, Gini, or Hellinger distance (binary tasks).",
    },
    coreParamDefs.delta,
    coreParamDefs.tau,
    {
      name: "leaf_prediction",
      type: { type: "string", choices: ["nba", "mc", "nb"] },
      default: () => "nba",
      doc: "Leaf predictor: adaptive naive Bayes, majority class, or naive Bayes.",
    },
    {
      name: "nb_threshold",
      type: { type: "number", min: 0 },
      default: () => 0,
      doc: "Weight a 'nb' leaf must have seen before it predicts with naive Bayes.",
    },
    coreParamDefs.nominal_attributes,
    {
      name: "splitter",
      type: { type: "component", families: ["splitter"] },
      default: () => new GaussianSplitter(),
      doc: "Observer of numeric features (a classification splitter).",
    },
    coreParamDefs.binary_split,
    {
      name: "min_branch_fraction",
      type: { type: "number", min: 0, max: 1 },
      default: () => 0.01,
      doc: "A split needs two branches holding more than this fraction of the weight.",
    },
    {
      name: "max_share_to_split",
      type: { type: "number", min: 0, max: 1 },
      default: () => 0.99,
      doc: "Only split leaves whose majority class holds at most this share.",
    },
    coreParamDefs.max_size(100),
    coreParamDefs.memory_estimate_period,
    coreParamDefs.stop_mem_management,
    coreParamDefs.remove_poor_attrs,
    coreParamDefs.merit_preprune,
  ];
  readonly task = "multiclass" as const;
  private core: ClassifierCore;

  constructor(params?: Partial<HoeffdingTreeClassifierParams>) {
    super(HoeffdingTreeClassifier.kind, HoeffdingTreeClassifier.schema, params);
    if (!this.params.splitter.targetIsClass) {
      throw new ParamError(
        `HoeffdingTreeClassifier.splitter must be a classification splitter, got ${this.params.splitter.kind}`,
      );
    }
    this.core = new ClassifierCore(this.kind, this.params);
  }

  override get acceptsRaw(): boolean {
    return true;
  }

  learnOne(x: RawFeatures, y: Label, w = 1): void {
    this.core.classes.add(y);
    this.core.learn(x, y, w);
  }

  predictProbaOne(x: RawFeatures): Proba {
    return this.core.predictProba(x);
  }

  /** The tree's shape (River's `summary`): node counts, height and leaf activity. */
  get summary(): TreeSummary {
    return this.core.summary();
  }

  override learnedStateIsFinite(): boolean {
    return this.core.learnedFinite();
  }

  exportState(): Json {
    return { ...this.core.exportState(), classes: [...this.core.classes] };
  }

  importState(data: Json): void {
    const o = objectFromJson(data, this.kind);
    const classes = arrayFromJson(o.classes, `${this.kind}.classes`).map((c, i) =>
      labelFromJson(c, `${this.kind}.classes[${i}]`),
    );
    if (new Set(classes).size !== classes.length) {
      throw new StateError(`${this.kind}.classes must be distinct labels`);
    }
    const core = new ClassifierCore(this.kind, this.params);
    core.importState(o, this.kind);
    for (const c of classes) core.classes.add(c);
    this.core = core;
  }
}
