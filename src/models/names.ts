import { brookError, clip } from "../errors.js";

/** The model created on first start from the configured spec, and the one the original routes serve. */
export const DEFAULT_MODEL = "default";

/** Letters, digits, `_`, `-` and `.`, starting with a letter or digit, at most 64 characters. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Model names end up in URLs and folder names: anything that could be a path trick
 * (`..`, `/`, `\`, a leading dot, control characters) is refused.
 */
export function checkModelName(name: string): void {
  if (!NAME.test(name) || name.includes("..")) {
    throw brookError(
      "INVALID_NAME",
      `"${clip(name)}" is not a valid model name: use 1 to 64 letters, digits, "_", "-" or "." starting with a letter or digit`,
      { model: clip(name) },
    );
  }
}
