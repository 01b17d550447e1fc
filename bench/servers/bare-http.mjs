// The HTTP ceiling for the benchmarks: a bare node:http server that reads each request body
// and answers the same bytes Brook would (given in BARE_RESPONSES as {path: {type, body}}).
import { createServer } from "node:http";

const responses = JSON.parse(process.env.BARE_RESPONSES ?? "{}");
const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const r = responses[req.url] ?? { type: "text/plain", body: "not found" };
    res.writeHead(200, { "content-type": r.type, "content-length": Buffer.byteLength(r.body) });
    res.end(r.body);
  });
});
server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
