import type { Schema } from "../base/component.js";
import { ParamError } from "../base/errors.js";
import { Regressor } from "../base/estimator.js";
import { encodeNumber } from "../base/state.js";
import type { FeatureValue, Json, JsonObject, RawFeatures } from "../base/types.js";
import { LinearRegression } from "../linear-model/linear-regression.js";
import { Var } from "../stats/var.js";
import { type CoreParams, coreParamDefs, sortByMerit, TreeCore, type TreeSummary } from "./core.js";
import type { Branch, LeafBase } from "./nodes.js";
import { VarianceReductionCriterion } from "./split-criteria.js";
import { EBSTObserver, TEBSTSplitter } from "./splitters/ebst.js";
import { NominalRegObserver } from "./splitters/nominal.js";
import { nullSuggestion, type RegObserver, type RegSplitter, type Suggestion } from "./splitters/splitter.js";
import { numberFromJson, objectFromJson } from "./state-codec.js";
import { copyVar, varFromJson, varToJson } from "./var-ops.js";

/** Constructor params of {@link HoeffdingTreeRegressor} (River's names and defaults). */
export interface HoeffdingTreeRegressorParams extends CoreParams {
  leaf_prediction: "adaptive" | "model" | "mean";
  leaf_model: Regressor;
  model_selector_decay: number;
  splitter: RegSplitter;
  min_samples_split: number;
}

/** A regression leaf: target statistics, observers, and a leaf model with its error trackers. */
interface RegLeaf extends LeafBase {
  stats: Var;
  splitters: Map<string, RegObserver> | null;
  /** The leaf model ('model' and 'adaptive' leaves). */
  model: Regressor | null;
  /** Faded squared errors of the mean and of the model ('adaptive' leaves). */
  fmseMean: number;
  fmseModel: number;
}

/** A trained copy of a regressor (River's `deepcopy` of a leaf model). */
function copyModel(m: Regressor): Regressor {
  const c = m.clone();
  c.importState(m.exportState());
  return c;
}

/**
 * x as the leaf model sees it: numbers, booleans as 0/1 (as Python's arithmetic treats them),
 * strings dropped (a linear model cannot use them; River would raise). Models that take raw
 * features (e.g. a pipeline with an encoder) get x unchanged.
 */
function modelInput(model: Regressor, x: RawFeatures): RawFeatures {
  if (model.acceptsRaw) return x;
  let numeric = true;
  for (const v of x.values()) {
    if (typeof v !== "number") {
      numeric = false;
      break;
    }
  }
  if (numeric) return x;
  const out = new Map<string, number>();
  for (const [k, v] of x) {
    if (typeof v === "number") out.set(k, v);
    else if (typeof v === "boolean") out.set(k, v ? 1 : 0);
  }
  return out;
}

class RegressorCore extends TreeCore<RegLeaf, Var, number> {
  constructor(
    owner: string,
    readonly q: Readonly<HoeffdingTreeRegressorParams>,
  ) {
    super(owner, q);
  }

  private get usesModel(): boolean {
    return this.q.leaf_prediction !== "mean";
  }

  newLeaf(stats: Var | undefined, parent: { depth: number } | null, source: RegLeaf | null): RegLeaf {
    const s = stats ? copyVar(stats) : new Var(1);
    let model: Regressor | null = null;
    // Children of a split start from a copy of the split leaf's model; others from a fresh one.
    if (this.usesModel) model = source?.model ? copyModel(source.model) : this.q.leaf_model.clone();
    const adaptive = this.q.leaf_prediction === "adaptive" && source !== null;
    return {
      isLeaf: true,
      stats: s,
      depth: parent ? parent.depth + 1 : 0,
      splitters: new Map(),
      disabled: new Set(),
      lastSplitAttemptAt: s.mean.n,
      model,
      fmseMean: adaptive ? source.fmseMean : 0,
      fmseModel: adaptive ? source.fmseModel : 0,
    };
  }

  leafWeight(leaf: RegLeaf): number {
    return leaf.stats.mean.n;
  }

  /** Deeper leaves are less likely to split (River's regression `calculate_promise`). */
  promise(leaf: RegLeaf): number {
    return -leaf.depth;
  }

  learnLeaf(leaf: RegLeaf, x: RawFeatures, y: number, w: number): void {
    if (this.q.leaf_prediction === "adaptive") {
      const dMean = y - leaf.stats.mean.mean;
      const dModel = y - leaf.model!.predictOne(modelInput(leaf.model!, x));
      const decay = this.q.model_selector_decay;
      leaf.fmseMean = decay * leaf.fmseMean + dMean * dMean;
      leaf.fmseModel = decay * leaf.fmseModel + dModel * dModel;
    }
    leaf.stats.update(y, w);
    if (leaf.splitters !== null) {
      for (const [feature, value] of x) {
        if (leaf.disabled.has(feature)) continue;
        let obs = leaf.splitters.get(feature);
        if (obs === undefined) {
          obs = this.isNominal(feature, value)
            ? new NominalRegObserver(() => new Var(1))
            : this.q.splitter.newObserver();
          leaf.splitters.set(feature, obs);
        }
        obs.update(value as FeatureValue, y, w);
      }
    }
    if (leaf.model !== null) leaf.model.learnOne(modelInput(leaf.model, x), y, w);
  }

  leafPrediction(leaf: RegLeaf, x: RawFeatures): number {
    switch (this.q.leaf_prediction) {
      case "mean":
        return leaf.stats.mean.mean;
      case "model":
        return leaf.model!.predictOne(modelInput(leaf.model!, x));
      default:
        return leaf.fmseMean < leaf.fmseModel
          ? leaf.stats.mean.mean
          : leaf.model!.predictOne(modelInput(leaf.model!, x));
    }
  }

  attemptToSplit(leaf: RegLeaf, parent: Branch<RegLeaf, Var> | null, parentBranch: number): void {
    const criterion = new VarianceReductionCriterion(this.q.min_samples_split);
    const list: Suggestion<Var>[] = [];
    if (this.q.merit_preprune) list.push(nullSuggestion());
    for (const [feature, obs] of leaf.splitters ?? []) {
      list.push(obs.bestSplit(criterion, leaf.stats, feature, this.q.binary_split));
    }
    const suggestions = sortByMerit(list);
    const n = suggestions.length;
    let shouldSplit = false;
    let bound = 0;
    if (n < 2) {
      shouldSplit = n > 0;
    } else {
      bound = this.hoeffdingBound(criterion.rangeOfMerit(), this.leafWeight(leaf));
      const best = suggestions[n - 1]!;
      const second = suggestions[n - 2]!;
      if (best.merit > 0 && (second.merit / best.merit < 1 - bound || bound < this.q.tau)) shouldSplit = true;
      if (this.q.remove_poor_attrs) {
        const bestRatio = second.merit / best.merit;
        const poor = new Set<string>();
        for (const s of suggestions) {
          if (s.feature && s.merit / best.merit < bestRatio - 2 * bound) poor.add(s.feature);
        }
        for (const f of poor) {
          if (leaf.splitters?.has(f)) {
            leaf.splitters.delete(f);
            leaf.disabled.add(f);
          }
        }
      }
    }
    if (shouldSplit) {
      const decision = suggestions[n - 1]!;
      if (decision.feature === null) this.deactivate(leaf);
      else this.split(leaf, parent, parentBranch, decision, leaf.stats);
      this.enforceSizeLimit();
    } else if (n >= 2 && suggestions[n - 1]!.merit > 0 && suggestions[n - 2]!.merit > 0) {
      // A failed attempt: let the E-BSTs forget hopeless thresholds.
      const ratio = suggestions[n - 2]!.merit / suggestions[n - 1]!.merit;
      const merit = suggestions[n - 1]!.merit;
      for (const obs of leaf.splitters?.values() ?? []) {
        if (obs instanceof EBSTObserver) obs.removeBadSplits(criterion, ratio, merit, bound, leaf.stats);
      }
    }
  }

  predict(x: RawFeatures): number {
    const leaf = this.leafFor(x);
    return leaf === null ? 0 : this.leafPrediction(leaf, x);
  }

  leafToJson(leaf: RegLeaf): JsonObject {
    const o = this.baseLeafJson(leaf, (obs) => (obs as RegObserver).toJson());
    o.stats = varToJson(leaf.stats);
    o.model = leaf.model === null ? null : leaf.model.exportState();
    o.fmse_mean = encodeNumber(leaf.fmseMean);
    o.fmse_model = encodeNumber(leaf.fmseModel);
    return o;
  }

  leafFromJson(o: JsonObject, path: string): RegLeaf {
    const leaf = this.newLeaf(varFromJson(o.stats, `${path}.stats`), null, null);
    if (this.usesModel) {
      const model = this.q.leaf_model.clone();
      model.importState(o.model ?? null);
      leaf.model = model;
    }
    leaf.fmseMean = numberFromJson(o.fmse_mean, `${path}.fmse_mean`);
    leaf.fmseModel = numberFromJson(o.fmse_model, `${path}.fmse_model`);
    return this.baseLeafFromJson(leaf, o, path, (_feature, data, p) => {
      const type = objectFromJson(data, p).type;
      return type === "nominal"
        ? NominalRegObserver.fromJson(data, p, () => new Var(1))
        : this.q.splitter.observerFromJson(data, p);
    });
  }

  statsToJson(stats: Var): Json {
    return varToJson(stats);
  }

  statsFromJson(data: Json | undefined, path: string): Var {
    return varFromJson(data, path);
  }
}

/**
 * Hoeffding tree regressor, River 0.22's `tree.HoeffdingTreeRegressor` (FIMT-DD-style).
 *
 * Leaves keep the target's running variance and one observer per feature (an E-BST by default
 * for numbers, per-value variances for strings, booleans and `nominal_attributes`). Every
 * `grace_period` weight a leaf ranks its candidates by variance reduction and splits when the
 * second best's merit ratio is below 1 − ε (ε the Hoeffding bound with R = 1) or ε < `tau`; a
 * failed attempt prunes hopeless E-BST thresholds. Leaves predict the target mean ('mean'), a
 * leaf model ('model', a `LinearRegression` by default, copied from the parent leaf when it
 * splits), or whichever of the two has the smaller faded squared error ('adaptive', the default;
 * `model_selector_decay` is the fading factor). The tree predicts 0 before learning anything.
 *
 * As in the classifier, boolean features are nominal, prediction never changes the model and the
 * memory estimate is a size model. The leaf model sees numeric features only (booleans as 0/1).
 */
export class HoeffdingTreeRegressor extends Regressor<HoeffdingTreeRegressorParams> {
  static readonly kind = "HoeffdingTreeRegressor";
  static readonly schema: Schema = [
    coreParamDefs.grace_period,
    coreParamDefs.max_depth,
    coreParamDefs.delta,
    coreParamDefs.tau,
    {
      name: "leaf_prediction",
      type: { type: "string", choices: ["adaptive", "model", "mean"] },
      default: () => "adaptive",
      doc: "Leaf predictor: the better of mean and model, the leaf model, or the target mean.",
    },
    {
      name: "leaf_model",
      type: { type: "component", families: ["regressor"] },
      default: () => new LinearRegression(),
      doc: "Regressor trained in each leaf ('model' and 'adaptive').",
    },
    {
      name: "model_selector_decay",
      type: { type: "number", min: 0, max: 1 },
      default: () => 0.95,
      doc: "Fading factor of the squared errors compared by 'adaptive' leaves.",
    },
    coreParamDefs.nominal_attributes,
    {
      name: "splitter",
      type: { type: "component", families: ["splitter"] },
      default: () => new TEBSTSplitter(),
      doc: "Observer of numeric features (a regression splitter).",
    },
    {
      name: "min_samples_split",
      type: { type: "number", integer: true, min: 0 },
      default: () => 5,
      doc: "Minimum weight of every branch of a valid split candidate.",
    },
    coreParamDefs.binary_split,
    coreParamDefs.max_size(500),
    coreParamDefs.memory_estimate_period,
    coreParamDefs.stop_mem_management,
    coreParamDefs.remove_poor_attrs,
    coreParamDefs.merit_preprune,
  ];
  private core: RegressorCore;

  constructor(params?: Partial<HoeffdingTreeRegressorParams>) {
    super(HoeffdingTreeRegressor.kind, HoeffdingTreeRegressor.schema, params);
    if (this.params.splitter.targetIsClass) {
      throw new ParamError(
        `HoeffdingTreeRegressor.splitter must be a regression splitter, got ${this.params.splitter.kind}`,
      );
    }
    this.core = new RegressorCore(this.kind, this.params);
  }

  override get acceptsRaw(): boolean {
    return true;
  }

  learnOne(x: RawFeatures, y: number, w = 1): void {
    this.core.learn(x, y, w);
  }

  predictOne(x: RawFeatures): number {
    return this.core.predict(x);
  }

  /** The tree's shape (River's `summary`): node counts, height and leaf activity. */
  get summary(): TreeSummary {
    return this.core.summary();
  }

  override learnedStateIsFinite(): boolean {
    return this.core.learnedFinite();
  }

  exportState(): Json {
    return this.core.exportState();
  }

  importState(data: Json): void {
    const o = objectFromJson(data, this.kind);
    const core = new RegressorCore(this.kind, this.params);
    core.importState(o, this.kind);
    this.core = core;
  }
}
