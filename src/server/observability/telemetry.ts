/**
 * What a serving process measures for Prometheus, assembled once: per-route request stats
 * (hung off the pipeline), per-model counts (bumped by the routes), and the scrape that
 * answers `GET /metrics` (this process's registry, or the whole cluster's through the
 * primary). With `--prometheus off` there is nothing to count and nothing to scrape.
 */
import { collectDefaultMetrics, Registry } from "prom-client";
import type { Config } from "../../config/config.js";
import { HttpMetrics } from "./http-metrics.js";
import { ModelCounters } from "./model-counters.js";

export interface Telemetry {
  /** Per-route request stats; undefined when metrics are off. */
  readonly http: HttpMetrics | undefined;
  readonly models: ModelCounters;
  /** The Prometheus text of this server (all workers in a cluster); undefined when metrics are off. */
  readonly scrape: (() => Promise<string>) | undefined;
}

/** Nothing measured (metrics off). */
export function noTelemetry(): Telemetry {
  return { http: undefined, models: new ModelCounters(undefined, () => false), scrape: undefined };
}

/**
 * The telemetry of a serving process. `exists` tells which models are served (for labels);
 * `extend` adds the process's other metrics (the writers' gauges); `scrape` replaces the
 * local exposition (a cluster worker scrapes through its primary).
 */
export function makeTelemetry(
  config: Config,
  exists: (model: string) => boolean,
  options: {
    extend?: (registry: Registry) => void;
    scrape?: (registry: Registry) => () => Promise<string>;
  } = {},
): Telemetry {
  if (config.prometheus === "off") return noTelemetry();
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  options.extend?.(registry);
  return {
    http: new HttpMetrics(registry),
    models: new ModelCounters(registry, exists),
    scrape: options.scrape ? options.scrape(registry) : () => registry.metrics(),
  };
}
