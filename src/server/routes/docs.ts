/** The API's documentation: `GET /openapi.json` (OpenAPI 3.1, from the route table) and `GET /docs` (a page that shows it). */
import { DOCS_PAGE } from "../docs-page.js";
import { openApiDocument } from "../openapi.js";
import { type AnyRoute, route } from "./route.js";

/** `table` gives the whole route table (this one included), read once, when first asked. */
export function docsRoutes(table: () => readonly AnyRoute[]): AnyRoute[] {
  let document: string | undefined;
  return [
    route({
      method: "GET",
      path: "/openapi.json",
      summary: "This API as an OpenAPI 3.1 document",
      tag: "documentation",
      scope: "public",
      response: { type: "application/json", description: "an OpenAPI 3.1 document" },
      handle: () => {
        document ??= JSON.stringify(openApiDocument(table()));
        return { body: document, type: "application/json; charset=utf-8" };
      },
    }),
    route({
      method: "GET",
      path: "/docs",
      summary: "This API, as a page to browse",
      tag: "documentation",
      scope: "public",
      response: { type: "text/html", description: "an HTML page rendering /openapi.json" },
      handle: () => ({ body: DOCS_PAGE, type: "text/html; charset=utf-8" }),
    }),
  ];
}
