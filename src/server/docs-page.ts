/**
 * `GET /docs`: a small, self-contained page (no CDN, no framework) that fetches
 * `/openapi.json` and shows every operation by tag (method, path, summary, scope) with its
 * parameters, request body and answers, each schema as a readable tree.
 */
export const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Brook API</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1d232a; background: #f6f7f9; }
  header { background: #14324a; color: #fff; padding: 18px 28px; }
  header h1 { margin: 0; font-size: 22px; }
  header p { margin: 4px 0 0; opacity: .85; }
  main { max-width: 1040px; margin: 0 auto; padding: 16px 28px 48px; }
  h2 { margin: 28px 0 8px; font-size: 18px; text-transform: capitalize; }
  details { background: #fff; border: 1px solid #d9dee4; border-radius: 6px; margin: 6px 0; }
  summary { cursor: pointer; padding: 8px 12px; display: flex; gap: 12px; align-items: baseline; }
  .m { font: 600 12px ui-monospace, monospace; padding: 2px 6px; border-radius: 4px; color: #fff; min-width: 52px; text-align: center; }
  .get { background: #2f7d4f; } .post { background: #1f5f9e; } .put { background: #9a6a12; } .delete { background: #a33a3a; }
  .p { font-family: ui-monospace, monospace; }
  .s { color: #4a5561; }
  .scope { margin-left: auto; font-size: 12px; color: #6b7682; }
  .body { padding: 4px 16px 14px; border-top: 1px solid #eef0f3; }
  h4 { margin: 12px 0 4px; font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #6b7682; }
  ul.tree { list-style: none; padding-left: 16px; margin: 2px 0; font-family: ui-monospace, monospace; font-size: 13px; }
  .k { color: #14324a; font-weight: 600; } .t { color: #8a4b08; } .d { color: #5b6570; font-family: system-ui, sans-serif; }
  .req { color: #a33a3a; }
  code { font-family: ui-monospace, monospace; }
</style>
</head>
<body>
<header><h1>Brook API</h1><p id="info">Loading /openapi.json ...</p></header>
<main id="ops"></main>
<script>
(async () => {
  const doc = await (await fetch("openapi.json")).json();
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
  const resolve = (s) => s && s.$ref ? doc.components.schemas[s.$ref.split("/").pop()] : s;
  const typeOf = (s) => {
    s = resolve(s) || {};
    if (s.const !== undefined) return JSON.stringify(s.const);
    if (s.anyOf) return s.anyOf.map(typeOf).join(" | ");
    if (s.allOf) return s.allOf.map(typeOf).join(" & ");
    if (s.type === "array") return typeOf(s.items) + "[]";
    if (s.patternProperties) return "{string: " + typeOf(Object.values(s.patternProperties)[0]) + "}";
    return s.type || "any";
  };
  const tree = (schema, depth) => {
    const s = resolve(schema) || {};
    const ul = el("ul", "tree");
    const props = s.properties || {};
    const required = new Set(s.required || []);
    for (const [name, sub] of Object.entries(props)) {
      const li = el("li");
      li.append(el("span", "k", name), el("span", required.has(name) ? "req" : "", required.has(name) ? "* " : " "));
      li.append(el("span", "t", typeOf(sub)));
      const r = resolve(sub) || {};
      if (r.description) li.append(el("span", "d", " — " + r.description));
      const inner = r.type === "array" ? resolve(r.items) : r;
      if (depth < 6 && inner && inner.properties) li.append(tree(inner, depth + 1));
      for (const alt of (inner && inner.anyOf) || []) if (depth < 6 && resolve(alt).properties) li.append(tree(alt, depth + 1));
      ul.append(li);
    }
    if (!Object.keys(props).length) {
      const li = el("li"); li.append(el("span", "t", typeOf(s)));
      if (s.description) li.append(el("span", "d", " — " + s.description));
      ul.append(li);
      for (const alt of s.anyOf || []) if (resolve(alt).properties) ul.append(tree(alt, depth + 1));
    }
    return ul;
  };
  document.getElementById("info").textContent = (doc.info.description || "") + " Version " + doc.info.version + ".";
  const byTag = new Map();
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) {
    const tag = (op.tags || ["other"])[0];
    if (!byTag.has(tag)) byTag.set(tag, []);
    byTag.get(tag).push([method, path, op]);
  }
  const main = document.getElementById("ops");
  for (const [tag, ops] of byTag) {
    main.append(el("h2", "", tag));
    for (const [method, path, op] of ops) {
      const d = el("details"); d.id = op.operationId;
      const sum = el("summary");
      sum.append(el("span", "m " + method, method.toUpperCase()), el("span", "p", path), el("span", "s", op.summary), el("span", "scope", op["x-brook-scope"]));
      d.append(sum);
      const body = el("div", "body");
      if (op.parameters) { body.append(el("h4", "", "Path parameters")); body.append(el("div", "p", op.parameters.map((p) => p.name).join(", "))); }
      if (op.requestBody) { body.append(el("h4", "", "Request body (application/json)")); body.append(tree(op.requestBody.content["application/json"].schema, 0)); }
      for (const [status, res] of Object.entries(op.responses)) {
        body.append(el("h4", "", "Answer " + status + ": " + res.description));
        for (const [type, media] of Object.entries(res.content || {})) {
          body.append(el("div", "d", type));
          body.append(tree(media.schema, 0));
        }
      }
      d.append(body);
      main.append(d);
    }
  }
})().catch((err) => { document.getElementById("info").textContent = "Could not load /openapi.json: " + err; });
</script>
</body>
</html>
`;
