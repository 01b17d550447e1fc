import { Component, type Schema } from "../base/component.js";
import type { Json } from "../base/types.js";

/** Gives the starting value of a weight the first time its feature is learned. Stateless. */
export abstract class Initializer<P extends object = object> extends Component<P> {
  static readonly family = "initializer";
  readonly family = "initializer" as const;
  abstract value(): number;
  exportState(): Json {
    return null;
  }
  importState(): void {}
}

/** Every weight starts at 0. */
export class Zeros extends Initializer<Record<string, never>> {
  static readonly kind = "Zeros";
  static readonly schema: Schema = [];
  constructor(params?: Record<string, never>) {
    super(Zeros.kind, Zeros.schema, params);
  }
  value(): number {
    return 0;
  }
}

export interface ConstantInitializerParams {
  value: number;
}

/** Every weight starts at the same value. Named `ConstantInit` in specs (`Constant` is the scheduler). */
export class ConstantInit extends Initializer<ConstantInitializerParams> {
  static readonly kind = "ConstantInit";
  static readonly schema: Schema = [
    { name: "value", type: { type: "number" }, default: () => 0, doc: "The starting weight." },
  ];
  constructor(params?: Partial<ConstantInitializerParams>) {
    super(ConstantInit.kind, ConstantInit.schema, params);
  }
  value(): number {
    return this.params.value;
  }
}
