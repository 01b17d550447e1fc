/**
 * HTTP throughput and latency of `POST /v1/models/default/predict` and `.../learn` at 1, 16
 * and 64 connections, against a bare node:http server answering the same bytes (the ceiling),
 * measured in the same run. Both servers run in their own process; the load generator in this
 * one (2 cores: one each).
 */
import { join } from "node:path";
import { featuresJson } from "../src/cli/commands/replay.js";
import { loadStream } from "../src/data/datasets.js";
import { load } from "./load.js";
import { freePort, startChild } from "./servers/spawn.js";
import { fmt, table } from "./table.js";

const ROOT = join(import.meta.dirname, "..");
const CONNECTIONS = [1, 16, 64];

export async function runHttp(seconds: number): Promise<string> {
  const rows = loadStream("phishing").rows.slice(0, 100);
  const routes = [
    {
      name: "predict",
      path: "/v1/models/default/predict",
      bodies: rows.map((r) => `{"x":${featuresJson(r.x)}}`),
      target: 80,
    },
    {
      name: "learn",
      path: "/v1/models/default/learn",
      bodies: rows.map((r) => `{"x":${featuresJson(r.x)},"y":${JSON.stringify(r.y)}}`),
      target: 70,
    },
  ];
  const brookPort = await freePort();
  const brook = await startChild(
    [
      join(ROOT, "dist/cli/main.js"),
      "serve",
      "--port",
      String(brookPort),
      "--host",
      "127.0.0.1",
      "--log-level",
      "warn",
    ],
    {},
    brookPort,
  );
  // The bare server answers exactly what Brook answers for the first body of each route.
  const responses: Record<string, { type: string; body: string }> = {
    "/healthz": { type: "application/json", body: '{"status":"ok"}' },
  };
  for (const r of routes) {
    const res = await fetch(brook.url + r.path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: r.bodies[0],
    });
    responses[r.path] = {
      type: res.headers.get("content-type") ?? "application/json",
      body: await res.text(),
    };
  }
  const barePort = await freePort();
  const bare = await startChild(
    [join(ROOT, "bench/servers/bare-http.mjs")],
    { BARE_RESPONSES: JSON.stringify(responses), PORT: String(barePort) },
    barePort,
  );

  const out: (string | number)[][] = [];
  try {
    for (const r of routes) {
      for (const connections of CONNECTIONS) {
        const run = (base: string, s: number) =>
          load({ url: base + r.path, method: "POST", bodies: r.bodies, connections, seconds: s });
        await run(brook.url, 1); // warm-up
        const b = await run(brook.url, seconds);
        await run(bare.url, 1);
        const c = await run(bare.url, seconds);
        const ratio = (100 * b.rps) / c.rps;
        out.push([
          r.name,
          connections,
          fmt(b.rps),
          `${b.p50} / ${b.p99}`,
          fmt(c.rps),
          `${c.p50} / ${c.p99}`,
          `${fmt(ratio, 1)} %`,
          `>= ${r.target} %`,
          b.errors + b.non2xx,
        ]);
      }
    }
  } finally {
    await brook.stop();
    await bare.stop();
  }
  return [
    `HTTP, one Brook process vs a bare node:http process answering the same bytes (${seconds} s per run, autocannon)`,
    table(
      [
        "route",
        "conns",
        "Brook req/s",
        "p50/p99 ms",
        "bare req/s",
        "p50/p99 ms",
        "Brook/bare",
        "target",
        "errors",
      ],
      out,
    ),
  ].join("\n");
}
