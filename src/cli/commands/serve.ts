import type { Command } from "commander";
import { type Config, loadConfig } from "../../config/config.js";
import { startBrook } from "../../runtime/start.js";

/** Flags of `brook serve`, one per setting (each also has a BROOK_* variable). */
export function addServeCommand(program: Command): void {
  program
    .command("serve")
    .description("start the server (predictions and learning on one model)")
    .option("-p, --port <port>", "TCP port (env BROOK_PORT, default 8080)")
    .option("--host <host>", "interface to listen on (env BROOK_HOST, default 0.0.0.0)")
    .option(
      "-m, --model <spec>",
      'model spec of the default model (env BROOK_MODEL, default "StandardScaler | LogisticRegression")',
    )
    .option(
      "--metrics <specs>",
      "comma-separated metrics of the default model (env BROOK_METRICS; default by task)",
    )
    .option("--body-limit <bytes>", "largest request body (env BROOK_BODY_LIMIT, default 1048576)")
    .option("--max-batch <n>", "most instances per batch request (env BROOK_MAX_BATCH, default 10000)")
    .option("--max-features <n>", "most features per instance (env BROOK_MAX_FEATURES, default 10000)")
    .option(
      "--log-level <level>",
      "fatal|error|warn|info|debug|trace|silent (env BROOK_LOG_LEVEL, default info)",
    )
    .action(async (opts: Record<string, string | undefined>) => {
      const flags: Partial<Record<keyof Config, string>> = {};
      for (const key of [
        "port",
        "host",
        "model",
        "metrics",
        "bodyLimit",
        "maxBatch",
        "maxFeatures",
        "logLevel",
      ] as const) {
        if (opts[key] !== undefined) flags[key] = opts[key];
      }
      const config = loadConfig(flags);
      const brook = await startBrook(config);
      const host = brook.engine.host("default");
      brook.app.log.info(
        { model: host.spec, task: host.task, metrics: host.metrics.map((m) => m.name) },
        `Brook serving model "default" (${host.spec}) on ${brook.url}`,
      );
      let closing = false;
      const shutdown = (signal: string) => {
        if (closing) return;
        closing = true;
        brook.app.log.info(`${signal}: shutting down`);
        brook.close().then(
          () => process.exit(0),
          (err: unknown) => {
            brook.app.log.error({ err }, "shutdown failed");
            process.exit(1);
          },
        );
      };
      process.on("SIGINT", () => shutdown("SIGINT"));
      process.on("SIGTERM", () => shutdown("SIGTERM"));
    });
}
