/**
 * The dashboard: static files (no build step) at `/` and `/dashboard/...`, and the charting
 * library it uses (uPlot) from the installed package, so nothing is fetched from elsewhere.
 * Files are read once, on first request, and revalidated by ETag.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brookError } from "../../errors.js";
import { type AnyRoute, type RouteRequest, route, type StreamAnswer } from "./route.js";

/** Next to this file's folder in src/ and, copied by the build, in dist/. */
const DASHBOARD_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "dashboard");

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

/** The media type of a served path, by its extension (the dashboard's page at `/`). */
function typeOf(path: string): string {
  const ext = path === "/" ? "html" : path.slice(path.lastIndexOf(".") + 1);
  return TYPES[ext] ?? "application/octet-stream";
}

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
}

/** The files served, by URL path. */
function fileTable(): Record<string, () => string> {
  const require = createRequire(import.meta.url);
  return {
    "/": () => join(DASHBOARD_DIR, "index.html"),
    "/dashboard/app.js": () => join(DASHBOARD_DIR, "app.js"),
    "/dashboard/style.css": () => join(DASHBOARD_DIR, "style.css"),
    "/dashboard/vendor/uPlot.iife.min.js": () => require.resolve("uplot/dist/uPlot.iife.min.js"),
    "/dashboard/vendor/uPlot.min.css": () => require.resolve("uplot/dist/uPlot.min.css"),
  };
}

export function dashboardRoutes(): AnyRoute[] {
  const table = fileTable();
  const cache = new Map<string, StaticFile>();
  const load = (path: string): StaticFile => {
    let f = cache.get(path);
    if (!f) {
      const file = table[path]!();
      const body = readFileSync(file);
      const etag = `"${createHash("sha1").update(body).digest("base64url").slice(0, 20)}"`;
      f = { body, type: typeOf(path), etag };
      cache.set(path, f);
    }
    return f;
  };
  const serve = (path: string, req: RouteRequest<unknown>): StreamAnswer => {
    let f: StaticFile;
    try {
      f = load(path);
    } catch {
      throw brookError("ROUTE_NOT_FOUND", `${path} is not installed (run npm run build)`);
    }
    const fresh = req.headers["if-none-match"] === f.etag;
    return {
      status: fresh ? 304 : 200,
      lasting: false,
      headers: {
        "content-type": f.type,
        etag: f.etag,
        "cache-control": "no-cache",
        "x-content-type-options": "nosniff",
        ...(fresh ? {} : { "content-length": String(f.body.length) }),
      },
      stream: (res) => res.end(fresh ? undefined : f.body),
    };
  };
  return Object.keys(table).map((path) =>
    route({
      method: "GET",
      path,
      summary: path === "/" ? "The dashboard: every model learning, live" : `Dashboard file ${path}`,
      tag: "dashboard",
      scope: "public",
      response: { type: typeOf(path) },
      handle: (req) => serve(path, req),
    }),
  );
}
