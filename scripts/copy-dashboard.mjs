#!/usr/bin/env node
// Copies the dashboard's static files (src/server/dashboard/) next to the compiled server in
// dist/, where dist/server/routes/dashboard.js looks for them. tsc copies only what it compiles.
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const to = join(root, "dist/server/dashboard");
rmSync(to, { recursive: true, force: true });
cpSync(join(root, "src/server/dashboard"), to, { recursive: true });
