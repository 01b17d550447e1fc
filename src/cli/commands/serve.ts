import cluster from "node:cluster";
import type { Command } from "commander";
import { type Config, isRedisStore, kebab, loadConfig, settings } from "../../config/config.js";
import { type ConfigFile, readConfigFile } from "../../config/file.js";
import { LearnError } from "../../learn/index.js";
import { Primary } from "../../runtime/cluster/primary.js";
import { makeLogger } from "../../runtime/logger.js";
import { storageFor } from "../../runtime/open.js";
import { logNodeStartup } from "../../runtime/redis/startup.js";
import type { NodeMessage } from "../../runtime/redis/supervisor.js";
import { NodeSupervisor } from "../../runtime/redis/supervisor.js";
import { startFailure } from "../../runtime/start-failure.js";
import { logStartup } from "../../runtime/startup-summary.js";
import { logSecurity } from "../../server/security/notice.js";
import { startBrook, startRedisBrook, startWorker } from "../../server/start.js";
import { checkDeclaredModels, createDeclaredModels, localUrl } from "../declared-models.js";

/**
 * Runs `close` once on SIGINT/SIGTERM (readiness false, drain, final checkpoint), prints the
 * "stopped" line, and exits 0 (1 if the shutdown failed).
 */
function onSignals(
  log: { info(msg: string): void; error(obj: object, msg: string): void },
  close: () => Promise<void>,
): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info(`${signal}: not ready any more; draining requests, checkpointing, closing logs`);
    close().then(
      () => {
        log.info("Brook stopped: every model checkpointed, logs closed");
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

/**
 * A start-up failure: one line on stderr (what, where, what to do); exit status 2 for a
 * mistake in the configuration (a bad spec), 1 for anything else.
 */
function cannotStart(err: unknown, config: Config): never {
  console.error(`brook: ${startFailure(err, config)}`);
  process.exit(err instanceof LearnError ? 2 : 1);
}

/**
 * A Redis node (`--store redis://...`): in this process, or one per worker with `--workers N`
 * (the primary only supervises them).
 */
async function serveRedis(config: Config, file?: ConfigFile): Promise<void> {
  const log = makeLogger(config);
  if (config.workers > 1 && cluster.isPrimary) {
    try {
      logSecurity(log, config);
    } catch (err) {
      cannotStart(err, config);
    }
    const supervisor = NodeSupervisor.start(config, log);
    onSignals(log, () => supervisor.shutdown());
    try {
      const url = await supervisor.started;
      if (file) await createDeclaredModels(url, file, log);
    } catch (err) {
      await supervisor.shutdown();
      console.error(`brook: ${(err as Error).message}`);
      process.exit(1);
    }
    return;
  }
  const tell = (msg: NodeMessage) => process.send?.(msg);
  let brook: Awaited<ReturnType<typeof startRedisBrook>>;
  try {
    brook = await startRedisBrook(config, log);
  } catch (err) {
    if (cluster.isWorker) {
      tell({ t: "failed", reason: startFailure(err, config) });
      process.exit(1);
    }
    cannotStart(err, config);
  }
  if (cluster.isWorker) {
    tell({ t: "listening", url: brook.url });
  } else if (file) await createDeclaredModels(brook.url, file, log);
  if (!cluster.isWorker) logSecurity(log, config);
  if (!cluster.isWorker || cluster.worker?.id === 1) logNodeStartup(log, config, brook.node, brook.url);
  onSignals(log, () => brook.close());
}

/** Starts Brook: one process (`--workers 1`), or a primary (the writer) with HTTP workers. */
async function serve(config: Config, file?: ConfigFile): Promise<void> {
  if (isRedisStore(config.store)) return serveRedis(config, file);
  const log = makeLogger(config);
  if (config.workers > 1) {
    if (cluster.isWorker) return startWorker(config, log);
    // A bad keys file stops the start here, before any worker is forked.
    try {
      logSecurity(log, config);
    } catch (err) {
      cannotStart(err, config);
    }
    // The primary prints the start-up summary once, when the first worker listens.
    const primary = await Primary.start(config, log).catch((err) => cannotStart(err, config));
    // The file's models are created through the first worker that listens.
    if (file)
      cluster.once(
        "listening",
        (_w, a) => void createDeclaredModels(localUrl(config.host, a.port), file, log),
      );
    onSignals(log, () => primary.shutdown());
    try {
      await primary.started;
    } catch (err) {
      await primary.shutdown();
      console.error(`brook: ${(err as Error).message}`);
      process.exit(1);
    }
    return;
  }
  const brook = await startBrook(config, storageFor(config), log).catch((err) => cannotStart(err, config));
  if (file) await createDeclaredModels(brook.url, file, log);
  logStartup(log, config, brook.engine, brook.url);
  logSecurity(log, config);
  onSignals(log, () => brook.close());
}

/** `brook serve`: one flag per setting (each also has a BROOK_* variable), then start. */
export function addServeCommand(program: Command): void {
  const cmd = program
    .command("serve")
    .description("start the server (predictions and learning, durable by default)");
  cmd.option("--config <file>", "settings and models to start with, .json, .yaml or .yml (env BROOK_CONFIG)");
  for (const [key, s] of Object.entries(settings)) {
    const shown = s.shownDefault ?? String(s.default);
    if (s.flag) cmd.option(`--${kebab(key)}`, `${s.help} (env ${s.env})`);
    else cmd.option(`--${kebab(key)} <${s.value}>`, `${s.help} (env ${s.env}, default: ${shown})`);
  }
  cmd.action(async (opts: Record<string, string | boolean | undefined>) => {
    const flags: Partial<Record<keyof Config, string>> = {};
    for (const key of Object.keys(settings) as (keyof Config)[]) {
      const given = opts[key];
      if (given !== undefined) flags[key] = String(given);
    }
    // Flags win over variables, which win over the file, which wins over the defaults.
    const path = (opts.config as string | undefined) ?? (process.env.BROOK_CONFIG || undefined);
    const file = path === undefined ? undefined : readConfigFile(path);
    if (file) checkDeclaredModels(file);
    await serve(loadConfig(flags, process.env, file), file);
  });
}
