import { pyEquals, type Value } from "../base/py-values.js";
import type { RawFeatures } from "../base/types.js";
import { numericValue } from "./splitters/gaussian.js";

/**
 * Decision nodes of a Hoeffding tree (river/tree/nodes/branch.py, river/tree/base.py). Leaves
 * are defined by each tree; branches are shared.
 */

/** What every leaf has (River's `HTLeaf`). */
export interface LeafBase {
  readonly isLeaf: true;
  depth: number;
  /** Per-feature observers, in first-seen order; `null` while the leaf is inactive. */
  splitters: Map<string, unknown> | null;
  /** Features whose observers were dropped by `remove_poor_attrs`. */
  disabled: Set<string>;
  /** Weight seen at the last split attempt. */
  lastSplitAttemptAt: number;
}

/** How a branch routes an example. */
export type BranchKind = "numeric" | "nominal" | "multiway";

/** A decision node: `x[feature] <= threshold`, `x[feature] == value`, or one child per value. */
export class Branch<L extends LeafBase, S = unknown> {
  readonly isLeaf = false;
  /** For multiway branches: child index by value. */
  private readonly index = new Map<Value, number>();

  constructor(
    readonly kind: BranchKind,
    readonly feature: string,
    readonly depth: number,
    /** The target statistics of the leaf this branch replaced. */
    readonly stats: S,
    readonly children: TreeNode<L, S>[],
    /** Numeric: the threshold; nominal: the value sent left; multiway: unused. */
    readonly test: number | Value,
    /** Multiway: the value of each child, in child order (children are added for new values). */
    readonly values: Value[] = [],
  ) {
    for (const [i, v] of values.entries()) this.index.set(v, i);
  }

  /** The child index for `x`, or -1 when `x` cannot be routed (River's `KeyError`). */
  branchNo(x: RawFeatures): number {
    const v = x.get(this.feature);
    if (v === undefined) return -1;
    switch (this.kind) {
      case "numeric": {
        // Python would raise comparing a string to the threshold: treated like a missing value.
        const n = numericValue(v);
        if (n === undefined) return -1;
        return n <= (this.test as number) ? 0 : 1;
      }
      case "nominal":
        return pyEquals(v, this.test as Value) ? 0 : 1;
      default:
        return this.childFor(v);
    }
  }

  private childFor(v: Value): number {
    const i = this.index.get(v);
    if (i !== undefined) return i;
    if (typeof v !== "string") {
      for (const [k, j] of this.index) if (pyEquals(k, v)) return j;
    }
    return -1;
  }

  /** Adds a branch for a new value of a multiway test. */
  addChild(value: Value, child: TreeNode<L, S>): void {
    this.index.set(value, this.children.length);
    this.values.push(value);
    this.children.push(child);
  }

  /** Whether the branch can grow a child for an unseen value (River's `max_branches() == -1`). */
  get growable(): boolean {
    return this.kind === "multiway";
  }
}

export type TreeNode<L extends LeafBase, S = unknown> = L | Branch<L, S>;

/** Traversal helpers over a tree whose leaves weigh `leafWeight(leaf)`. */
export class Walker<L extends LeafBase, S = unknown> {
  constructor(private readonly leafWeight: (leaf: L) => number) {}

  /** River's `total_weight`: a leaf's weight, or the sum of a branch's children (in order). */
  totalWeight(node: TreeNode<L, S>): number {
    if (node.isLeaf) return this.leafWeight(node);
    let s = 0;
    for (const c of node.children) s += this.totalWeight(c);
    return s;
  }

  /** River's `most_common_path`: the heaviest child (the first one on ties; right only if strictly heavier). */
  mostCommonChild(branch: Branch<L, S>): TreeNode<L, S> {
    const children = branch.children;
    if (branch.kind !== "multiway") {
      const [left, right] = children as [TreeNode<L, S>, TreeNode<L, S>];
      return this.totalWeight(left) < this.totalWeight(right) ? right : left;
    }
    let best = 0;
    let bestW = this.totalWeight(children[0]!);
    for (let i = 1; i < children.length; i++) {
      const w = this.totalWeight(children[i]!);
      if (w > bestW) {
        best = i;
        bestW = w;
      }
    }
    return children[best]!;
  }

  /**
   * River's `walk`: the nodes from `start` down to the leaf for `x`. When a branch cannot route
   * `x`, `untilLeaf` follows the most common path; otherwise the walk ends by repeating that
   * branch (as River's generator does).
   */
  walk(start: TreeNode<L, S>, x: RawFeatures, untilLeaf: boolean): TreeNode<L, S>[] {
    const path: TreeNode<L, S>[] = [];
    let node = start;
    while (!node.isLeaf) {
      path.push(node);
      const i = node.branchNo(x);
      if (i >= 0) node = node.children[i]!;
      else if (untilLeaf) node = this.mostCommonChild(node);
      else break;
    }
    path.push(node);
    return path;
  }

  /** The last node of `walk`. */
  traverse(start: TreeNode<L, S>, x: RawFeatures, untilLeaf: boolean): TreeNode<L, S> {
    let node = start;
    while (!node.isLeaf) {
      const i = node.branchNo(x);
      if (i >= 0) node = node.children[i]!;
      else if (untilLeaf) node = this.mostCommonChild(node);
      else return node;
    }
    return node;
  }

  /** Leaves from left to right. */
  leaves(root: TreeNode<L, S> | null): L[] {
    const out: L[] = [];
    const stack: TreeNode<L, S>[] = root ? [root] : [];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.isLeaf) out.push(n);
      else for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
    }
    return out;
  }
}
