// A reference between the bare ceiling and Brook: node:http doing the same model work as Brook
// (JSON.parse, features in a Map, predict or learn, JSON.stringify) with nothing else: no
// validation, no versions, no log, no metrics. It shows what Brook's own layers cost.
import { createServer } from "node:http";
import { asSupervised, build } from "../../dist/learn/index.js";

const model = asSupervised(build("StandardScaler | LogisticRegression"));
let version = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    let out = '{"status":"ok"}';
    if (req.method === "POST") {
      const body = JSON.parse(Buffer.concat(chunks).toString());
      const x = new Map(Object.entries(body.x));
      const proba = model.predictProbaOne(x);
      if (req.url.endsWith("/learn")) {
        model.learnOne(x, body.y);
        out = JSON.stringify({ model: "default", version: ++version });
      } else {
        out = JSON.stringify({
          model: "default",
          version,
          prediction: proba.get(true) > proba.get(false),
          probabilities: { false: proba.get(false), true: proba.get(true) },
        });
      }
    }
    res.writeHead(200, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(out),
    });
    res.end(out);
  });
});
server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
