/** Brook's own version (package.json), for the metadata routes. */
import { readFileSync } from "node:fs";

/** The version in package.json (src/ and dist/ sit at the same depth below it). */
export const BROOK_VERSION: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;
