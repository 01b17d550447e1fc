import { HoeffdingTreeClassifier } from "../../tree/hoeffding-tree-classifier.js";
import { HoeffdingTreeRegressor } from "../../tree/hoeffding-tree-regressor.js";
import { EBSTSplitter, TEBSTSplitter } from "../../tree/splitters/ebst.js";
import { GaussianSplitter } from "../../tree/splitters/gaussian.js";
import type { ComponentClass } from "../registry.js";

/** Hoeffding trees and their numeric splitters. */
export const trees = [
  HoeffdingTreeClassifier,
  HoeffdingTreeRegressor,
  GaussianSplitter,
  EBSTSplitter,
  TEBSTSplitter,
] as unknown as readonly ComponentClass[];
