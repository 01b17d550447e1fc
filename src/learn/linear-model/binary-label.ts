import { LearnError } from "../base/errors.js";
import type { Label } from "../base/types.js";

/** A binary target as the 0/1 number River's binary losses expect (`true`/`1` → 1, `false`/`0` → 0). */
export function binaryTarget(y: Label, owner: string): number {
  if (y === true || y === 1) return 1;
  if (y === false || y === 0) return 0;
  throw new LearnError(
    "BROOK_INVALID_LABEL",
    `${owner} is a binary classifier: y must be true/false or 1/0, got ${JSON.stringify(y)}`,
  );
}
