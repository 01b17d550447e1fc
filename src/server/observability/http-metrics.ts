/**
 * Request counts and latencies per route (its path template, never the raw URL) and status,
 * for Prometheus. The hot path only bumps plain numbers in a cell found by the route (held by
 * the pipeline's prepared route) and the status (a small integer-keyed map): no label object,
 * no string hashing per request. The prom-client metrics read the cells when scraped.
 */
import { Counter, Histogram, type Registry } from "prom-client";

/** Upper bounds (seconds) of the latency histogram's buckets. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Requests of one route with one status. */
class Cell {
  count = 0;
  sum = 0;
  /** Per bucket (not cumulative); the last slot counts what is above every bound. */
  readonly buckets = new Float64Array(LATENCY_BUCKETS.length + 1);
}

/** One route's requests, by status. */
export class RouteStats {
  readonly byStatus = new Map<number, Cell>();
  readonly labels: { method: string; route: string };

  constructor(method: string, route: string) {
    this.labels = { method, route };
  }

  /** Counts one answered request that took `seconds`. */
  observe(status: number, seconds: number): void {
    let cell = this.byStatus.get(status);
    if (cell === undefined) {
      cell = new Cell();
      this.byStatus.set(status, cell);
    }
    cell.count += 1;
    cell.sum += seconds;
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
    cell.buckets[i]! += 1;
  }
}

type Labels = "method" | "route" | "status";

/** The histogram, read from the cells at scrape time (prom-client has no way to set buckets). */
class RouteHistogram extends Histogram<Labels> {
  constructor(
    registry: Registry,
    private readonly routes: () => readonly RouteStats[],
  ) {
    super({
      name: "brook_http_request_duration_seconds",
      help: "Time from the request's arrival to its answer, per route (path template), method and status",
      labelNames: ["method", "route", "status"],
      buckets: [...LATENCY_BUCKETS],
      registers: [registry],
    });
  }

  /** What the registry prints (prom-client's own histogram reads its internal map here). */
  async getForPromString(): ReturnType<Histogram<Labels>["get"]> {
    return this.get();
  }

  override async get(): ReturnType<Histogram<Labels>["get"]> {
    const name = "brook_http_request_duration_seconds";
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const r of this.routes()) {
      for (const [status, cell] of r.byStatus) {
        const labels = { ...r.labels, status: String(status) };
        let cumulative = 0;
        for (const [i, bound] of LATENCY_BUCKETS.entries()) {
          cumulative += cell.buckets[i]!;
          values.push({ labels: { ...labels, le: bound }, value: cumulative, metricName: `${name}_bucket` });
        }
        values.push({ labels: { ...labels, le: "+Inf" }, value: cell.count, metricName: `${name}_bucket` });
        values.push({ labels, value: cell.sum, metricName: `${name}_sum` });
        values.push({ labels, value: cell.count, metricName: `${name}_count` });
      }
    }
    const help =
      "Time from the request's arrival to its answer, per route (path template), method and status";
    // prom-client's own shape for a histogram's values (its type insists on a collect function).
    return { name, help, type: "histogram", values, aggregator: "sum" } as unknown as Awaited<
      ReturnType<Histogram<Labels>["get"]>
    >;
  }
}

/** Every route's stats, the requests refused by a limit or by the key check, and the metrics that expose them. */
export class HttpMetrics {
  private readonly all: RouteStats[] = [];
  /** Requests refused by a limit, by reason (the setting's name): a few fixed strings. */
  private readonly refusals = new Map<string, number>();
  /** Requests that matched no route (404, 405), under one label so that URLs never become labels. */
  readonly unmatched: RouteStats;

  constructor(registry: Registry) {
    this.unmatched = this.route("ANY", "unmatched");
    const routes = () => this.all;
    new RouteHistogram(registry, routes);
    new Counter<Labels>({
      name: "brook_http_requests_total",
      help: "Requests answered, per route (path template), method and status",
      labelNames: ["method", "route", "status"],
      registers: [registry],
      collect() {
        this.reset();
        for (const r of routes()) {
          for (const [status, cell] of r.byStatus)
            this.inc({ ...r.labels, status: String(status) }, cell.count);
        }
      },
    });
    const refusals = this.refusals;
    new Counter<"reason">({
      name: "brook_requests_refused_total",
      help: "Requests refused, per reason: the limit's setting (body-limit, max-batch, ...), or the key check (missing_key, invalid_key, scope, model, protected_mode) and the learn rate (rate_limit)",
      labelNames: ["reason"],
      registers: [registry],
      collect() {
        this.reset();
        for (const [reason, n] of refusals) this.inc({ reason }, n);
      },
    });
  }

  /** Counts a request refused for `reason` (a setting's name or a gate's reason, never client input). */
  refused(reason: string): void {
    this.refusals.set(reason, (this.refusals.get(reason) ?? 0) + 1);
  }

  /** The stats of a route of the table (made once, when the pipeline prepares the route). */
  route(method: string, path: string): RouteStats {
    const stats = new RouteStats(method, path);
    this.all.push(stats);
    return stats;
  }
}
