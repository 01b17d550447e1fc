import type { Command } from "commander";
import { type Config, kebab, loadConfig, settings } from "../../config/config.js";
import { startBrook } from "../../runtime/start.js";

/** `brook serve`: one flag per setting (each also has a BROOK_* variable), then start. */
export function addServeCommand(program: Command): void {
  const cmd = program
    .command("serve")
    .description("start the server (predictions and learning, durable by default)");
  for (const [key, s] of Object.entries(settings)) {
    const shown = Array.isArray(s.default) ? "by task" : String(s.default);
    cmd.option(`--${kebab(key)} <value>`, `${s.help} (env ${s.env}, default ${shown})`);
  }
  cmd.action(async (opts: Record<string, string | undefined>) => {
    const flags: Partial<Record<keyof Config, string>> = {};
    for (const key of Object.keys(settings) as (keyof Config)[]) {
      if (opts[key] !== undefined) flags[key] = opts[key];
    }
    const config = loadConfig(flags);
    const brook = await startBrook(config);
    const log = brook.app.log;
    for (const w of brook.engine.list()) {
      log.info(
        { model: w.host.name, spec: w.host.spec, version: w.host.version, seq: w.host.seq },
        `model "${w.host.name}" ready`,
      );
    }
    log.info(
      { store: brook.engine.storage.kind, data: brook.engine.storage.location, fsync: config.fsync },
      `Brook listening on ${brook.url}`,
    );
    let closing = false;
    const shutdown = (signal: string) => {
      if (closing) return;
      closing = true;
      log.info(`${signal}: draining requests, checkpointing, closing logs`);
      brook.close().then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
    };
    process.on("SIGINT", () => shutdown("SIGINT"));
    process.on("SIGTERM", () => shutdown("SIGTERM"));
  });
}
