/**
 * Prometheus metrics of `brook serve --workers N`, whichever worker answers the scrape: the
 * worker asks the primary, the primary asks every worker for its metrics (as JSON) over the
 * cluster channel, adds its own (the writers' gauges, the replicas' lag, its process), and
 * aggregates them with prom-client's aggregator (counters and histograms summed, writer
 * gauges taken once). Its messages carry `type` (not the replication protocol's `t`), so the
 * replication handlers ignore them.
 */
import cluster, { type Worker } from "node:cluster";
import {
  AggregatorRegistry,
  collectDefaultMetrics,
  type MetricObjectWithValues,
  type MetricValue,
  Registry,
} from "prom-client";
import type { Engine } from "../engine.js";
import { modelGauge } from "../observability/model-gauges.js";
import { registerWriterMetrics } from "../observability/writer-metrics.js";

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

type ScrapeMessage =
  /** worker → primary: a scrape came in, send me the cluster's exposition. */
  | { type: "brook:scrape"; id: number }
  /** primary → worker: the exposition asked for. */
  | { type: "brook:scraped"; id: number; text?: string; error?: string }
  /** primary → worker: send your own metrics. */
  | { type: "brook:collect"; id: number }
  /** worker → primary: its metrics. */
  | { type: "brook:collected"; id: number; metrics: MetricsJson };

/** How long the primary waits for a worker's metrics; a worker that is dying is left out. */
const COLLECT_TIMEOUT_MS = 2000;

function isScrapeMessage(msg: unknown): msg is ScrapeMessage {
  return (
    typeof msg === "object" && msg !== null && String((msg as { type?: unknown }).type).startsWith("brook:")
  );
}

/** The replicas' lag of one model, as the primary sees it (one entry per worker). */
export type ReplicaLag = (model: string) => { replica_lag_events: number; replica_lag_seconds: number }[];

/**
 * In the primary: answers the workers' scrapes. The primary's own metrics are its process's,
 * the writers' gauges, and the replicas' lag (the slowest worker per model).
 */
export function serveClusterMetrics(engine: Engine | undefined, lag: ReplicaLag): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Without an engine (Redis nodes as workers), every model's gauges come from the workers.
  if (engine) registerWriterMetrics(registry, engine);
  const models = () => engine?.list().map((w) => w.record.name) ?? [];
  const gauge = (name: string, help: string, key: "replica_lag_events" | "replica_lag_seconds") =>
    modelGauge(
      registry,
      name,
      help,
      models,
      (model) => model,
      (model) => {
        const lags = lag(model);
        return lags.length > 0 ? Math.max(...lags.map((l) => l[key])) : undefined;
      },
    );
  gauge(
    "brook_replica_lag_events",
    "Events applied by the writer and not yet by the slowest replica",
    "replica_lag_events",
  );
  gauge(
    "brook_replica_lag_seconds",
    "How long the slowest replica's oldest unapplied event has been waiting",
    "replica_lag_seconds",
  );

  let nextId = 1;
  const waiting = new Map<number, (metrics: MetricsJson) => void>();

  const collect = (worker: Worker): Promise<MetricsJson | undefined> =>
    new Promise((resolve) => {
      if (!worker.isConnected()) return resolve(undefined);
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve(undefined);
      }, COLLECT_TIMEOUT_MS);
      timer.unref();
      waiting.set(id, (metrics) => {
        clearTimeout(timer);
        resolve(metrics);
      });
      try {
        worker.send({ type: "brook:collect", id } satisfies ScrapeMessage);
      } catch {
        waiting.delete(id);
        clearTimeout(timer);
        resolve(undefined);
      }
    });

  const exposition = async (): Promise<string> => {
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    const all = await Promise.all([registry.getMetricsAsJSON(), ...workers.map(collect)]);
    const found = all.filter((m): m is MetricsJson => m !== undefined);
    return AggregatorRegistry.aggregate(found).metrics();
  };

  cluster.on("message", (worker: Worker, msg: unknown) => {
    if (!isScrapeMessage(msg)) return;
    if (msg.type === "brook:collected") {
      waiting.get(msg.id)?.(msg.metrics);
      waiting.delete(msg.id);
    } else if (msg.type === "brook:scrape") {
      exposition().then(
        (text) => worker.isConnected() && worker.send({ type: "brook:scraped", id: msg.id, text }),
        (err: Error) =>
          worker.isConnected() && worker.send({ type: "brook:scraped", id: msg.id, error: err.message }),
      );
    }
  });
}

/**
 * In a worker: answers the primary's requests for this worker's metrics, and returns the
 * function that scrapes the whole cluster (through the primary).
 */
export function clusterScraper(registry: Registry): () => Promise<string> {
  let nextId = 1;
  const waiting = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();
  process.on("message", (msg: unknown) => {
    if (!isScrapeMessage(msg)) return;
    if (msg.type === "brook:collect") {
      void registry.getMetricsAsJSON().then((metrics) => {
        process.send?.({ type: "brook:collected", id: msg.id, metrics } satisfies ScrapeMessage);
      });
    } else if (msg.type === "brook:scraped") {
      const p = waiting.get(msg.id);
      waiting.delete(msg.id);
      if (msg.text !== undefined) p?.resolve(msg.text);
      else p?.reject(new Error(msg.error ?? "the primary could not collect the metrics"));
    }
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error("the primary did not answer the scrape in time"));
      }, COLLECT_TIMEOUT_MS * 2);
      timer.unref();
      waiting.set(id, {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      process.send?.({ type: "brook:scrape", id } satisfies ScrapeMessage);
    });
}
