/**
 * Which methods the route table serves at a path, so that a known path asked with another
 * method answers 405 with an `Allow` header rather than 404.
 */
import type { AnyRoute } from "../routes/route.js";

export class AllowedMethods {
  private readonly paths: { pattern: RegExp; methods: string[] }[] = [];

  constructor(routes: readonly AnyRoute[]) {
    const byPath = new Map<string, string[]>();
    for (const r of routes) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r.method]);
    for (const [path, methods] of byPath) {
      const source = path
        .split("/")
        .map((part) => (part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
        .join("/");
      // A GET route answers HEAD too (Fastify does).
      const all = methods.includes("GET") ? [...methods, "HEAD"] : methods;
      this.paths.push({ pattern: new RegExp(`^${source}$`), methods: [...new Set(all)] });
    }
  }

  /** The methods served at `url`'s path (empty when no route has that path). */
  at(url: string): string[] {
    const path = url.split("?")[0]!;
    for (const p of this.paths) if (p.pattern.test(path)) return p.methods;
    return [];
  }
}
