import { UsageError } from "../errors.js";

/**
 * A commander parser for a numeric option: `--name` must be a number of at least `min`
 * (an integer when `integer`), or the command stops with a usage error naming the option.
 */
export function numberOption(name: string, { min, integer }: { min: number; integer: boolean }) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < min || (integer && !Number.isSafeInteger(n))) {
      const what = integer
        ? min === 0
          ? "a non-negative integer"
          : min === 1
            ? "a positive integer"
            : `an integer >= ${min}`
        : `a number >= ${min}`;
      throw new UsageError(`--${name} must be ${what}, got "${value}"`);
    }
    return n;
  };
}
