import type { Schema } from "../base/component.js";
import { encodeNumber, encodeNumbers, StateReader } from "../base/state.js";
import type { Json, Label } from "../base/types.js";
import { posValParam } from "./classification.js";
import { Metric, type MetricFormat, type Prediction, positiveProba } from "./metric.js";

export interface ExactROCAUCParams {
  pos_val: Label;
}

/** A treap node: one distinct score with the weight of positives and negatives at it. */
interface Node {
  score: number;
  pos: number;
  neg: number;
  sumPos: number;
  sumNeg: number;
  priority: number;
  left: Node | null;
  right: Node | null;
}

/**
 * Exact ROC AUC (the Mann-Whitney U statistic, ties counting one half), kept incrementally in
 * a treap of distinct scores so `update`, `revert` and `get` stay cheap. Memory grows with the
 * number of distinct scores seen. NaN scores are ignored.
 */
export class ExactROCAUC extends Metric<ExactROCAUCParams> {
  static readonly kind = "ExactROCAUC";
  static readonly schema: Schema = [posValParam];
  readonly target = "binary" as const;
  readonly requiresLabels = false;
  readonly biggerIsBetter = true;
  protected readonly format: MetricFormat = "percent";
  private root: Node | null = null;
  private u = 0;
  private totalPos = 0;
  private totalNeg = 0;

  constructor(params?: Partial<ExactROCAUCParams>) {
    super(ExactROCAUC.kind, ExactROCAUC.schema, params);
  }

  update(yTrue: Label | number, yPred: Prediction, w = 1): void {
    this.add(yTrue === this.params.pos_val, this.score(yPred), w);
  }

  revert(yTrue: Label | number, yPred: Prediction, w = 1): void {
    this.add(yTrue === this.params.pos_val, this.score(yPred), -w);
  }

  get(): number {
    const pairs = this.totalPos * this.totalNeg;
    return pairs > 0 ? this.u / pairs : 0;
  }

  private score(yPred: Prediction): number {
    const pos = this.params.pos_val;
    if (yPred instanceof Map && pos !== true) return yPred.get(pos) ?? 0;
    return positiveProba(yPred);
  }

  private add(positive: boolean, score: number, w: number): void {
    if (Number.isNaN(score)) return;
    // Pairs with the other class: strictly on the "right" side count 1, ties count 1/2.
    const [below, at, above] = this.around(score, !positive);
    this.u += w * (positive ? below + 0.5 * at : above + 0.5 * at);
    if (positive) this.totalPos += w;
    else this.totalNeg += w;
    this.root = this.insert(this.root, score, positive ? w : 0, positive ? 0 : w);
  }

  /** Weight of one class strictly below, at, and strictly above `score`. */
  private around(score: number, positive: boolean): [number, number, number] {
    let below = 0;
    let above = 0;
    let at = 0;
    let node = this.root;
    while (node) {
      const own = positive ? node.pos : node.neg;
      const leftSum = node.left ? (positive ? node.left.sumPos : node.left.sumNeg) : 0;
      const rightSum = node.right ? (positive ? node.right.sumPos : node.right.sumNeg) : 0;
      if (score < node.score) {
        above += own + rightSum;
        node = node.left;
      } else if (score > node.score) {
        below += own + leftSum;
        node = node.right;
      } else {
        at = own;
        below += leftSum;
        above += rightSum;
        break;
      }
    }
    return [below, at, above];
  }

  private insert(node: Node | null, score: number, pos: number, neg: number): Node {
    if (node === null) {
      return {
        score,
        pos,
        neg,
        sumPos: pos,
        sumNeg: neg,
        priority: priorityOf(score),
        left: null,
        right: null,
      };
    }
    if (score === node.score) {
      node.pos += pos;
      node.neg += neg;
    } else if (score < node.score) {
      node.left = this.insert(node.left, score, pos, neg);
      if (outranks(node.left, node)) node = rotateRight(node);
    } else {
      node.right = this.insert(node.right, score, pos, neg);
      if (outranks(node.right, node)) node = rotateLeft(node);
    }
    refresh(node);
    return node;
  }

  exportState(): Json {
    const scores: number[] = [];
    const pos: number[] = [];
    const neg: number[] = [];
    const walk = (n: Node | null): void => {
      if (!n) return;
      walk(n.left);
      scores.push(n.score);
      pos.push(n.pos);
      neg.push(n.neg);
      walk(n.right);
    };
    walk(this.root);
    return {
      scores: encodeNumbers(scores),
      pos: encodeNumbers(pos),
      neg: encodeNumbers(neg),
      u: encodeNumber(this.u),
      total_pos: encodeNumber(this.totalPos),
      total_neg: encodeNumber(this.totalNeg),
    };
  }

  importState(data: Json): void {
    const r = new StateReader(data, this.kind);
    const scores = r.numbers("scores");
    const pos = r.nonNegatives("pos", scores.length);
    const neg = r.nonNegatives("neg", scores.length);
    const u = r.number("u");
    const totalPos = r.nonNegative("total_pos");
    const totalNeg = r.nonNegative("total_neg");
    let root: Node | null = null;
    for (let i = 0; i < scores.length; i++) root = this.insert(root, scores[i]!, pos[i]!, neg[i]!);
    this.root = root;
    this.u = u;
    this.totalPos = totalPos;
    this.totalNeg = totalNeg;
  }
}

function refresh(n: Node): void {
  n.sumPos = n.pos + (n.left?.sumPos ?? 0) + (n.right?.sumPos ?? 0);
  n.sumNeg = n.neg + (n.left?.sumNeg ?? 0) + (n.right?.sumNeg ?? 0);
}

function rotateRight(n: Node): Node {
  const l = n.left!;
  n.left = l.right;
  l.right = n;
  refresh(n);
  return l;
}

function rotateLeft(n: Node): Node {
  const r = n.right!;
  n.right = r.left;
  r.left = n;
  refresh(n);
  return r;
}

const bits = new DataView(new ArrayBuffer(8));

/**
 * A treap priority derived from the score itself: the tree's shape then depends only on the
 * set of scores, so a restored metric sums its counts in the same order as the original.
 */
function priorityOf(score: number): number {
  bits.setFloat64(0, score);
  let h = Math.imul(bits.getUint32(0) ^ 0x9e3779b9, 0x85ebca6b) ^ bits.getUint32(4);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

function outranks(a: Node, b: Node): boolean {
  return a.priority > b.priority || (a.priority === b.priority && a.score < b.score);
}
