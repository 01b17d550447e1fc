import type { DenseFeatures } from "../base/dense-features.js";
import { Transformer } from "../base/estimator.js";
import { FeatureIndex, type SlotView } from "../base/feature-index.js";
import type { Features } from "../base/types.js";

/**
 * A numeric transformer that keeps running statistics per feature in typed arrays indexed by the
 * feature's slot. Subclasses say how a slot's statistics learn and transform; this class resolves
 * examples to slots once per call, so learning and transforming in a pipeline cost one lookup.
 */
export abstract class PerFeatureScaler<P extends object> extends Transformer<P> {
  protected index = new FeatureIndex();

  learnOne(x: Features): void {
    this.learnView(this.index.view(x, true, this.onNewSlot));
  }

  override learnTransformOne(x: Features): DenseFeatures {
    const view = this.index.view(x, true, this.onNewSlot);
    this.learnView(view);
    return this.transformView(view);
  }

  transformOne(x: Features): DenseFeatures {
    return this.transformView(this.index.view(x));
  }

  /** Updates the statistics of the view's (already known) slots. */
  protected abstract learnView(view: SlotView): void;
  /** Scales the view's values; slot -1 marks a feature never learned. */
  protected abstract transformView(view: SlotView): DenseFeatures;
  /** Makes room for a newly added feature at `slot` and sets its initial statistics. */
  protected abstract addSlot(slot: number): void;

  private readonly onNewSlot = (slot: number): void => this.addSlot(slot);
}
