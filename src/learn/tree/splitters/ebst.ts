import type { Schema } from "../../base/component.js";
import type { FeatureValue, Json } from "../../base/types.js";
import { pyRound } from "../../math/py-round.js";
import { Var } from "../../stats/var.js";
import type { VarianceReductionCriterion } from "../split-criteria.js";
import { arrayFromJson, numberFromJson, objectFromJson, stringFromJson } from "../state-codec.js";
import { addInto, minus, plus, subtractFrom, varFromJson, varToJson } from "../var-ops.js";
import { badType, numericValue } from "./gaussian.js";
import { nullSuggestion, type RegObserver, RegSplitter, type Suggestion } from "./splitter.js";

/** A node of the E-BST: a feature value and the target statistics of every value ≤ it in its subtree. */
interface EBSTNode {
  value: number;
  est: Var;
  left: EBSTNode | null;
  right: EBSTNode | null;
}

function newNode(value: number, y: number, w: number): EBSTNode {
  const est = new Var(1);
  est.update(y, w);
  return { value, est, left: null, right: null };
}

/**
 * River's E-BST observer (`EBSTSplitter`): a binary search tree over the observed values that
 * stores, at each node, the target statistics of the values routed left through it. An
 * in-order walk then yields every threshold's left and right statistics.
 *
 * River walks the tree recursively (and would hit Python's recursion limit on a long run of
 * sorted values); the walks here use explicit stacks, in exactly River's operation order.
 */
export class EBSTObserver implements RegObserver {
  readonly type = "ebst";
  root: EBSTNode | null = null;

  /** `round`: what a value becomes before it enters the tree (TEBSTSplitter rounds it). */
  constructor(private readonly round?: (x: number) => number) {}

  update(value: FeatureValue, y: number, w: number): void {
    const raw = numericValue(value);
    if (raw === undefined) return;
    const x = this.round ? this.round(raw) : raw;
    if (this.root === null) {
      this.root = newNode(x, y, w);
      return;
    }
    let current: EBSTNode | null = this.root;
    let parent = this.root;
    let isRight = false;
    while (current !== null) {
      parent = current;
      if (x === current.value) {
        current.est.update(y, w);
        return;
      }
      if (x < current.value) {
        current.est.update(y, w);
        current = current.left;
        isRight = false;
      } else {
        current = current.right;
        isRight = true;
      }
    }
    if (isRight) parent.right = newNode(x, y, w);
    else parent.left = newNode(x, y, w);
  }

  bestSplit(criterion: VarianceReductionCriterion, pre: Var, feature: string): Suggestion<Var> {
    let best = nullSuggestion<Var>();
    if (this.root === null) return best;
    const aux = new Var(1);
    // Frames of the recursive in-order walk: stage 0 = go left, 1 = evaluate then go right, 2 = back from right.
    const nodes: EBSTNode[] = [this.root];
    const stages: number[] = [0];
    while (nodes.length > 0) {
      const top = nodes.length - 1;
      const node = nodes[top]!;
      const stage = stages[top]!;
      if (stage === 0) {
        stages[top] = 1;
        if (node.left !== null) {
          nodes.push(node.left);
          stages.push(0);
        }
      } else if (stage === 1) {
        const left = plus(node.est, aux);
        const right = minus(pre, left);
        const post = [left, right];
        const merit = criterion.meritOfSplit(pre, post);
        if (merit > best.merit) {
          best = { merit, feature, info: node.value, children: post, numeric: true, multiway: false };
        }
        if (node.right !== null) {
          addInto(aux, node.est);
          stages[top] = 2;
          nodes.push(node.right);
          stages.push(0);
        } else {
          nodes.pop();
          stages.pop();
        }
      } else {
        subtractFrom(aux, node.est);
        nodes.pop();
        stages.pop();
      }
    }
    return best;
  }

  /**
   * FIMT-DD's pruning of hopeless thresholds, run after a failed split attempt: a node whose
   * whole subtree is bad (merit ratio below `ratio - 2ε`) is cut off.
   */
  removeBadSplits(
    criterion: VarianceReductionCriterion,
    lastRatio: number,
    lastMerit: number,
    lastBound: number,
    pre: Var,
  ): void {
    if (this.root === null) return;
    const aux = new Var(1);
    interface Frame {
      node: EBSTNode;
      parent: EBSTNode | null;
      isLeft: boolean;
      stage: number;
      bad: boolean;
    }
    const frames: Frame[] = [{ node: this.root, parent: null, isLeft: true, stage: 0, bad: false }];
    // Stages: 0 start, 1 back from left, 2 after left, 3 back from right, 4 evaluate and return.
    let returned = false;
    while (frames.length > 0) {
      const f = frames[frames.length - 1]!;
      const node = f.node;
      switch (f.stage) {
        case 0:
          if (node.left !== null) {
            f.stage = 1;
            frames.push({ node: node.left, parent: node, isLeft: true, stage: 0, bad: false });
          } else {
            f.bad = true;
            f.stage = 2;
          }
          break;
        case 1:
          f.bad = returned;
          f.stage = 2;
          break;
        case 2:
          f.stage = 4;
          if (f.bad && node.right !== null) {
            addInto(aux, node.est);
            f.stage = 3;
            frames.push({ node: node.right, parent: node, isLeft: false, stage: 0, bad: false });
          }
          break;
        case 3:
          f.bad = returned;
          subtractFrom(aux, node.est);
          f.stage = 4;
          break;
        default: {
          let result = false;
          if (f.bad) {
            const left = plus(node.est, aux);
            const right = minus(pre, left);
            const merit = criterion.meritOfSplit(pre, [left, right]);
            if (merit / lastMerit < lastRatio - 2 * lastBound) {
              node.left = null;
              node.right = null;
              if (f.parent === null) this.root = null;
              else if (f.isLeft) f.parent.left = null;
              else f.parent.right = null;
              result = true;
            }
          }
          frames.pop();
          returned = result;
        }
      }
    }
  }

  toJson(): Json {
    // Pre-order, iteratively: [value, est, hasLeft, hasRight] per node.
    const out: Json[] = [];
    const stack: EBSTNode[] = this.root ? [this.root] : [];
    while (stack.length > 0) {
      const n = stack.pop()!;
      out.push([n.value, varToJson(n.est), n.left !== null, n.right !== null]);
      if (n.right) stack.push(n.right);
      if (n.left) stack.push(n.left);
    }
    return { type: this.type, nodes: out };
  }

  static fromJson(data: Json, path: string, round?: (x: number) => number): EBSTObserver {
    const o = objectFromJson(data, path);
    if (stringFromJson(o.type, `${path}.type`) !== "ebst") throw badType(path);
    const items = arrayFromJson(o.nodes, `${path}.nodes`);
    const obs = new EBSTObserver(round);
    // Pending child slots, innermost last: each entry attaches the next node read.
    const slots: { parent: EBSTNode; left: boolean }[] = [];
    items.forEach((item, i) => {
      const p = `${path}.nodes[${i}]`;
      const [value, est, hasLeft, hasRight] = arrayFromJson(item, p, 4);
      if (typeof hasLeft !== "boolean" || typeof hasRight !== "boolean") {
        throw badType(p);
      }
      const node: EBSTNode = {
        value: numberFromJson(value, `${p}[0]`),
        est: varFromJson(est, `${p}[1]`),
        left: null,
        right: null,
      };
      if (i === 0) obs.root = node;
      else {
        const slot = slots.pop();
        if (!slot) throw badType(p);
        if (slot.left) slot.parent.left = node;
        else slot.parent.right = node;
      }
      if (hasRight) slots.push({ parent: node, left: false });
      if (hasLeft) slots.push({ parent: node, left: true });
    });
    if (slots.length > 0) throw badType(`${path}.nodes`);
    return obs;
  }
}

/**
 * River's `tree.splitter.EBSTSplitter` (the regressor's default numeric splitter): an extended
 * binary search tree that evaluates every observed value as a threshold, pruned after failed
 * split attempts.
 */
export class EBSTSplitter extends RegSplitter {
  static readonly kind = "EBSTSplitter";
  static readonly schema: Schema = [];

  constructor(params?: Record<string, never>) {
    super(EBSTSplitter.kind, EBSTSplitter.schema, params);
  }

  newObserver(): EBSTObserver {
    return new EBSTObserver();
  }

  observerFromJson(data: Json, path: string): EBSTObserver {
    return EBSTObserver.fromJson(data, path);
  }
}

/** Constructor params of {@link TEBSTSplitter}. */
export interface TEBSTParams {
  digits: number;
}

/**
 * River's `tree.splitter.TEBSTSplitter` (truncated E-BST), the default numeric splitter of
 * River 0.22's `HoeffdingTreeRegressor`: an E-BST whose values are first rounded to `digits`
 * decimal places with Python's `round` (correctly rounded, ties to even), so that close values
 * share a node. Thresholds are therefore rounded values too.
 */
export class TEBSTSplitter extends RegSplitter<TEBSTParams> {
  static readonly kind = "TEBSTSplitter";
  static readonly schema: Schema = [
    {
      name: "digits",
      type: { type: "number", integer: true, min: 0, max: 15 },
      default: () => 1,
      doc: "Decimal places the feature values are rounded to (Python's round).",
    },
  ];
  private readonly round: (x: number) => number;

  constructor(params?: Partial<TEBSTParams>) {
    super(TEBSTSplitter.kind, TEBSTSplitter.schema, params);
    const digits = this.params.digits;
    this.round = (x) => pyRound(x, digits);
  }

  newObserver(): EBSTObserver {
    return new EBSTObserver(this.round);
  }

  observerFromJson(data: Json, path: string): EBSTObserver {
    return EBSTObserver.fromJson(data, path, this.round);
  }
}
