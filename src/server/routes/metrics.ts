/** `GET /metrics`: Prometheus text, of this process or, with `--workers N`, of the whole cluster. */
import { brookError } from "../../errors.js";
import { EXPOSITION_TYPE } from "../observability/exposition.js";
import type { Telemetry } from "../observability/telemetry.js";
import { type AnyRoute, route } from "./route.js";

export function metricsRoutes(telemetry: Telemetry): AnyRoute[] {
  return [
    route({
      method: "GET",
      path: "/metrics",
      summary:
        "Prometheus metrics (text exposition): requests per route, predictions and learns per model, model gauges, process",
      tag: "observability",
      scope: "public",
      response: { type: EXPOSITION_TYPE, description: "the Prometheus text exposition format" },
      async handle() {
        const scrape = telemetry.scrape;
        if (!scrape) throw brookError("ROUTE_NOT_FOUND", "metrics are off here (--prometheus off)");
        let text: string;
        try {
          text = await scrape();
        } catch (err) {
          throw brookError("UNAVAILABLE", `the metrics could not be collected: ${(err as Error).message}`);
        }
        return { body: text, type: EXPOSITION_TYPE };
      },
    }),
  ];
}
