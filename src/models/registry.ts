import { brookError } from "../errors.js";
import type { ModelHost } from "./model-host.js";

/** Served models by name. */
export class ModelRegistry {
  private readonly hosts = new Map<string, ModelHost>();

  add(host: ModelHost): void {
    this.hosts.set(host.name, host);
  }

  /** The model called `name`, or a 404 error. */
  get(name: string): ModelHost {
    const host = this.hosts.get(name);
    if (!host) {
      throw brookError("MODEL_NOT_FOUND", `there is no model called "${name}"`, { model: name });
    }
    return host;
  }

  list(): ModelHost[] {
    return [...this.hosts.values()];
  }
}
