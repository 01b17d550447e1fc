import { Component, type Family, type Schema } from "../base/component.js";
import { ParamError, StateError } from "../base/errors.js";
import type { AnomalyDetector, Classifier, Regressor, Transformer } from "../base/estimator.js";
import type { Features, Json, Label, Proba, RawFeatures, Task } from "../base/types.js";

type Step = Transformer | Classifier | Regressor | AnomalyDetector | Pipeline;

export interface PipelineParams {
  steps: Step[];
}

/**
 * A chain of transformers ending in any estimator (River's `compose.Pipeline`, `a | b`).
 *
 * Learning follows River: each unsupervised step first learns `x`, then transforms it, so the
 * final estimator learns on `x` scaled with statistics that include it. Predicting only
 * transforms: it never changes any step.
 */
export class Pipeline extends Component<PipelineParams> {
  static readonly kind = "Pipeline";
  static readonly schema: Schema = [
    {
      name: "steps",
      type: {
        type: "components",
        families: ["transformer", "classifier", "regressor", "anomaly"],
        minItems: 1,
      },
      default: () => [],
      doc: "Transformers, then the final estimator.",
    },
  ];
  readonly family: "transformer" | "classifier" | "regressor" | "anomaly";
  /** The task of the final estimator (undefined for a pipeline of transformers). */
  readonly task: Task | undefined;
  private readonly transformers: Transformer[];
  private readonly last: Step;

  constructor(params?: Partial<PipelineParams>) {
    super(Pipeline.kind, Pipeline.schema, params);
    const steps = this.params.steps;
    const inner = steps.slice(0, -1);
    for (const [i, step] of inner.entries()) {
      if (step.family !== "transformer") {
        throw new ParamError(
          `Pipeline step ${i + 1} (${step.kind}) must be a transformer: only the last step can predict`,
        );
      }
    }
    this.transformers = inner as Transformer[];
    this.last = steps[steps.length - 1]!;
    this.family = this.last.family;
    this.task =
      this.last.family === "classifier" || this.last.family === "regressor" || this.last.family === "anomaly"
        ? (this.last as Classifier | Regressor | AnomalyDetector | Pipeline).task
        : undefined;
  }

  /** A pipeline takes what its first step takes. */
  override get acceptsRaw(): boolean {
    return this.params.steps[0]!.acceptsRaw;
  }

  /** Steps in order. */
  get steps(): readonly Step[] {
    return this.params.steps;
  }

  /** The step that predicts (or the last transformer). */
  get finalStep(): Step {
    return this.last;
  }

  override stateIsFinite(): boolean {
    for (const step of this.params.steps) if (!step.stateIsFinite()) return false;
    return true;
  }

  override learnedStateIsFinite(): boolean {
    for (const step of this.params.steps) if (!step.learnedStateIsFinite()) return false;
    return true;
  }

  /** Transforms x through every step except the last (never updates them). */
  transformInner(x: RawFeatures): Features {
    for (const t of this.transformers) x = t.transformOne(x);
    return x as Features;
  }

  /** Learns one example; `y` is ignored when the last step is a transformer. */
  learnOne(x: RawFeatures, y?: Label | number, w = 1): void {
    for (const t of this.transformers) x = t.learnTransformOne(x);
    const last = this.last;
    if (last.family === "transformer" || last.family === "anomaly")
      (last as Transformer | AnomalyDetector).learnOne(x);
    else if (last.family === "classifier") (last as Classifier).learnOne(x, y as Label, w);
    else (last as Regressor).learnOne(x, y as number, w);
  }

  predictProbaOne(x: RawFeatures): Proba {
    return this.classifier().predictProbaOne(this.transformInner(x));
  }

  predictOne(x: RawFeatures): Label | number | undefined {
    const last = this.last;
    if (last.family === "classifier") return (last as Classifier).predictOne(this.transformInner(x));
    if (last.family === "regressor") return (last as Regressor).predictOne(this.transformInner(x));
    throw new ParamError("this pipeline ends with a transformer: it cannot predict");
  }

  /** The anomaly score of `x` (pipelines ending in an anomaly detector). */
  scoreOne(x: RawFeatures): number {
    if (this.last.family !== "anomaly") throw new ParamError(`${this.last.kind} is not an anomaly detector`);
    return (this.last as AnomalyDetector).scoreOne(this.transformInner(x));
  }

  transformOne(x: RawFeatures): Features {
    if (this.last.family !== "transformer")
      throw new ParamError("this pipeline ends with an estimator: it cannot transform");
    return (this.last as Transformer).transformOne(this.transformInner(x));
  }

  private classifier(): Classifier {
    if (this.last.family !== "classifier")
      throw new ParamError(`${this.last.kind} is not a classifier: it has no probabilities`);
    return this.last as Classifier;
  }

  exportState(): Json {
    return { steps: this.params.steps.map((s) => s.exportState()) };
  }

  importState(data: Json): void {
    if (typeof data !== "object" || data === null || Array.isArray(data) || !Array.isArray(data.steps)) {
      throw new StateError("Pipeline state must be {steps: [...]}");
    }
    const states = data.steps;
    const steps = this.params.steps;
    if (states.length !== steps.length) {
      throw new StateError(`Pipeline state has ${states.length} steps, the pipeline ${steps.length}`);
    }
    // Validate every step on a clone first so that a bad step leaves the pipeline untouched.
    for (const [i, step] of steps.entries()) step.clone().importState(states[i]!);
    for (const [i, step] of steps.entries()) step.importState(states[i]!);
  }
}

/** Whether `family` can end a pipeline that predicts. */
export function predicts(family: Family): boolean {
  return family === "classifier" || family === "regressor";
}
