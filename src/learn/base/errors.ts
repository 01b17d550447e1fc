/**
 * Errors raised by the learning library. Each carries a stable code; the server maps every
 * `LearnError` to an HTTP 400 problem.
 */
export class LearnError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A parameter value is of the wrong type, out of range or unknown. */
export class ParamError extends LearnError {
  constructor(message: string) {
    super("BROOK_INVALID_PARAM", message);
  }
}

/** A model spec (string or JSON) cannot be parsed or names something unknown. */
export class SpecError extends LearnError {
  /** Zero-based character offset in the spec string, when the spec was a string. */
  readonly position: number | undefined;
  constructor(message: string, position?: number) {
    super(
      "BROOK_INVALID_SPEC",
      position === undefined ? message : `${message} (at character ${position + 1})`,
    );
    this.position = position;
  }
}

/** A state envelope is malformed or does not belong to the estimator it is loaded into. */
export class StateError extends LearnError {
  constructor(message: string, code = "BROOK_INVALID_STATE") {
    super(code, message);
  }
}

/**
 * A well-formed state envelope whose values cannot be a learned state: a non-finite number, a
 * negative count or variance, a fractional count, a metric state of another kind. The server
 * answers 422 (a malformed one is a 400 {@link StateError}).
 */
export class StateValueError extends StateError {
  constructor(message: string) {
    super(message, "BROOK_INVALID_STATE_VALUE");
  }
}
