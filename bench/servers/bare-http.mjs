// The HTTP ceiling for the benchmarks: bare node:http processes that read each request body,
// parse it as JSON, and answer the same bytes Brook would (BARE_RESPONSES: {path: {type, body}}).
// WORKERS > 1 runs a node:cluster of that many, as the ceiling of `brook serve --workers N`.
import cluster from "node:cluster";
import { createServer } from "node:http";

const responses = JSON.parse(process.env.BARE_RESPONSES ?? "{}");
const workers = Number(process.env.WORKERS ?? 1);

if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on("SIGTERM", () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    process.exit(0);
  });
} else {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      if (chunks.length > 0) JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const r = responses[req.url] ?? { type: "application/json", body: '{"status":"ok"}' };
      res.writeHead(200, { "content-type": r.type, "content-length": Buffer.byteLength(r.body) });
      res.end(r.body);
    });
  });
  server.keepAliveTimeout = 72_000;
  server.listen(Number(process.env.PORT ?? 0), "127.0.0.1");
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
