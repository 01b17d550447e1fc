/**
 * The container files, checked without Docker (it does not run here): the Dockerfile passes
 * the lint and has what the image promises, its HEALTHCHECK command works against a real
 * server, and compose.yaml builds that Dockerfile with the port and the data volume.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { instructions, lintDockerfile } from "../../scripts/lint-dockerfile.js";
import { loadConfig, settings } from "../../src/config/config.js";
import { freePort, ROOT } from "../helpers/process.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const steps = instructions(dockerfile);
const runtime = steps.slice(steps.findLastIndex((i) => i.keyword === "FROM"));
const of = (keyword: string, list = steps) => list.filter((i) => i.keyword === keyword);

describe("Dockerfile", () => {
  it("passes the lint", () => {
    assert.deepEqual(lintDockerfile(dockerfile), []);
  });

  it("the lint finds what it is there to find", () => {
    const bad = [
      "FROM node:latest",
      "WORKDIR app",
      "RUN npm install",
      "ADD . /app",
      "EXPOSE 80000",
      "CMD node bin/brook.js serve",
    ].join("\n");
    const problems = lintDockerfile(bad).join("\n");
    for (const expected of [
      /line 1: pin the base image "node:latest"/,
      /line 2: WORKDIR app is not absolute/,
      /line 3: use npm ci/,
      /line 4: use COPY for local files/,
      /line 6: CMD should be in exec form/,
      /the final stage has no USER/,
      /the final stage has no HEALTHCHECK/,
    ]) {
      assert.match(problems, expected);
    }
    assert.match(lintDockerfile("FROM node:20\nUSER root\nHEALTHCHECK NONE\n").join("\n"), /runs as root/);
  });

  it("builds in one stage and runs production dependencies as a non-root user in another", () => {
    const froms = of("FROM").map((i) => i.args);
    assert.deepEqual(froms, ["node:20-bookworm-slim AS build", "node:20-bookworm-slim AS runtime"]);
    const build = steps.slice(0, steps.indexOf(runtime[0]!));
    assert.ok(of("RUN", build).some((i) => /^npm ci\b/.test(i.args)));
    assert.ok(of("RUN", build).some((i) => i.args === "npm run build"));
    assert.ok(of("RUN", runtime).some((i) => /npm ci --omit=dev/.test(i.args)));
    assert.ok(of("COPY", runtime).some((i) => i.args === "--from=build /app/dist ./dist"));
    assert.deepEqual(
      of("USER", runtime).map((i) => i.args),
      ["node"],
    );
    assert.deepEqual(
      of("EXPOSE", runtime).map((i) => i.args),
      ["8080"],
    );
    assert.deepEqual(
      of("VOLUME", runtime).map((i) => i.args),
      ["/data"],
    );
    const env = of("ENV", runtime)
      .map((i) => i.args)
      .join(" ");
    assert.match(env, /\bBROOK_DATA_DIR=\/data\b/);
    assert.match(env, /\bBROOK_HOST=0\.0\.0\.0\b/);
    assert.deepEqual(JSON.parse(of("ENTRYPOINT", runtime)[0]!.args), ["node", "bin/brook.js"]);
    assert.deepEqual(JSON.parse(of("CMD", runtime)[0]!.args), ["serve"]);
    // Everything it copies exists here (a build context without them would fail).
    for (const copy of of("COPY").filter((i) => !i.args.startsWith("--from"))) {
      for (const src of copy.args.split(/\s+/).slice(0, -1)) assert.ok(existsSync(join(ROOT, src)), src);
    }
    const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n");
    for (const p of ["node_modules", "dist", "data", ".git"])
      assert.ok(ignored.includes(p), `.dockerignore ${p}`);
  });

  describe("HEALTHCHECK", () => {
    const health = of("HEALTHCHECK", runtime)[0]!;
    const command = JSON.parse(/\bCMD\s+(.*)$/.exec(health.args)![1]!) as string[];
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(() => server.close());

    /** Runs the healthcheck's command as Docker would, against `port`; resolves with its exit code. */
    const probe = (port: string) =>
      new Promise<number | null>((resolve, reject) => {
        // Not spawnSync: the test server answers from this very process.
        const child = spawn(process.execPath, command.slice(1), {
          env: { ...process.env, BROOK_PORT: port },
          stdio: "ignore",
        });
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        child.on("error", reject);
        child.on("exit", (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });

    it("uses node's fetch on the liveness route, no curl", () => {
      assert.equal(command[0], "node");
      assert.match(command.join(" "), /fetch\(.*\/v2\/health\/live/);
      assert.match(health.args, /--interval=\d+s --timeout=\d+s --start-period=\d+s --retries=\d+/);
    });

    it("passes against a live server and fails when nothing answers", async () => {
      assert.equal(await probe(new URL(server.url).port), 0);
      assert.equal(await probe(String(await freePort())), 1);
    });
  });
});

describe("compose.yaml", () => {
  const compose = parse(readFileSync(join(ROOT, "compose.yaml"), "utf8"));

  it("builds the Dockerfile, publishes 8080, keeps /data in a named volume", () => {
    const brook = compose.services.brook;
    assert.equal(brook.build.context, ".");
    assert.equal(brook.build.dockerfile, "Dockerfile");
    assert.ok(existsSync(join(ROOT, brook.build.context, brook.build.dockerfile)));
    assert.deepEqual(brook.ports, ["8080:8080"]);
    const [volume, target] = (brook.volumes[0] as string).split(":");
    assert.equal(target, "/data");
    assert.ok(volume! in compose.volumes, `${volume} is declared under volumes:`);
    assert.equal(brook.init, true);
    assert.equal(brook.profiles, undefined, "docker compose up starts the single node");
  });

  it("the cluster profile: Redis with AOF, one learn node, two serve nodes, a load balancer over the serve nodes", () => {
    const s = compose.services;
    const cluster = Object.keys(s).filter((n) => s[n].profiles?.includes("cluster"));
    assert.deepEqual(cluster.sort(), ["brook-learn", "brook-serve-1", "brook-serve-2", "lb", "redis"]);
    const redis = s.redis;
    assert.match(redis.image, /^redis:7(\.\d+)?-/);
    assert.match(redis.command.join(" "), /--appendonly yes --appendfsync always/);
    assert.ok(redis.volumes[0].split(":")[0] in compose.volumes);
    const nodes = ["brook-learn", "brook-serve-1", "brook-serve-2"].map((n) => s[n]);
    for (const n of nodes) {
      assert.equal(n.image, "brook:local");
      assert.equal(n.environment.BROOK_REDIS_URL, "redis://redis:6379/0");
      assert.ok(n.depends_on.includes("redis"));
      assert.equal(n.init, true);
    }
    assert.deepEqual(
      nodes.map((n) => n.environment.BROOK_ROLE),
      ["learn", "serve", "serve"],
    );
    // Every setting the nodes are given is one Brook knows.
    const known = new Set(Object.values(settings).map((x) => x.env));
    for (const n of nodes) for (const k of Object.keys(n.environment)) assert.ok(known.has(k), k);
    assert.ok(loadConfig({}, s["brook-learn"].environment).store.startsWith("redis://"));
    const lb = s.lb;
    assert.match(lb.image, /^nginx:\d/);
    assert.deepEqual(lb.depends_on, ["brook-serve-1", "brook-serve-2"]);
    const [conf, mounted] = (lb.volumes[0] as string).split(":");
    assert.equal(mounted, "/etc/nginx/nginx.conf");
    const nginx = readFileSync(join(ROOT, conf!), "utf8");
    const upstream = /upstream\s+(\w+)\s*\{([^}]*)\}/.exec(nginx)!;
    assert.deepEqual(
      [...upstream[2]!.matchAll(/server\s+([\w.-]+):(\d+);/g)].map((m) => `${m[1]}:${m[2]}`),
      ["brook-serve-1:8080", "brook-serve-2:8080"],
    );
    assert.match(nginx, new RegExp(`proxy_pass http://${upstream[1]};`));
    assert.match(nginx, /proxy_buffering off;/, "event streams are not buffered");
    assert.equal(nginx.split("{").length, nginx.split("}").length, "balanced braces");
  });
});
