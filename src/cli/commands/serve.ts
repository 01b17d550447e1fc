import cluster from "node:cluster";
import type { Command } from "commander";
import { type Config, kebab, loadConfig, settings } from "../../config/config.js";
import { type ConfigFile, readConfigFile } from "../../config/file.js";
import { Primary } from "../../runtime/cluster/primary.js";
import { makeLogger } from "../../runtime/logger.js";
import { startBrook, startWorker } from "../../server/start.js";
import { checkDeclaredModels, createDeclaredModels, localUrl } from "../declared-models.js";

/** Runs `close` once on SIGINT/SIGTERM, then exits (0 on success). */
function onSignals(
  log: { info(msg: string): void; error(obj: object, msg: string): void },
  close: () => Promise<void>,
): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info(`${signal}: draining requests, checkpointing, closing logs`);
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

/** Starts Brook: one process (`--workers 1`), or a primary (the writer) with HTTP workers. */
async function serve(config: Config, file?: ConfigFile): Promise<void> {
  const log = makeLogger(config);
  if (config.workers > 1) {
    if (cluster.isWorker) return startWorker(config, log);
    const primary = await Primary.start(config, log);
    // The file's models are created through the first worker that listens.
    if (file)
      cluster.once(
        "listening",
        (_w, a) => void createDeclaredModels(localUrl(config.host, a.port), file, log),
      );
    onSignals(log, () => primary.shutdown());
    return;
  }
  const brook = await startBrook(config);
  if (file) await createDeclaredModels(brook.url, file, log);
  for (const m of await brook.backend.ops.list()) {
    log.info({ model: m.name, spec: m.spec, version: m.version }, `model "${m.name}" ready`);
  }
  log.info(
    { store: config.store, data: config.dataDir, fsync: config.fsync },
    `Brook listening on ${brook.url}`,
  );
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
    cmd.option(`--${kebab(key)} <${s.value}>`, `${s.help} (env ${s.env}, default: ${shown})`);
  }
  cmd.action(async (opts: Record<string, string | undefined>) => {
    const flags: Partial<Record<keyof Config, string>> = {};
    for (const key of Object.keys(settings) as (keyof Config)[]) {
      if (opts[key] !== undefined) flags[key] = opts[key];
    }
    // Flags win over variables, which win over the file, which wins over the defaults.
    const path = opts.config ?? (process.env.BROOK_CONFIG || undefined);
    const file = path === undefined ? undefined : readConfigFile(path);
    if (file) checkDeclaredModels(file);
    await serve(loadConfig(flags, process.env, file), file);
  });
}
