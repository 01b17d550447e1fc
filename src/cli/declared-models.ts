/**
 * The models a config file declares (`brook serve --config`): checked before the server
 * starts (each spec, metric and drift detector built once, as a create would), then created
 * through the HTTP API once it listens, the normal create path. One that exists already is
 * kept as stored: with the same definition nothing changes; with another the stored one stays,
 * with a warning, as the default model does.
 */
import { BrookApiError, BrookClient } from "../client/index.js";
import type { ConfigFile, DeclaredModel } from "../config/file.js";
import { BrookError, UsageError } from "../errors.js";
import { LearnError } from "../learn/index.js";
import { checkModelName } from "../models/names.js";
import { ServedModel } from "../models/served-model.js";

/** What the creation reports to: the server's logger. */
export interface DeclaredModelsLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Refuses a file whose models could not be created, naming the file and the model. */
export function checkDeclaredModels(file: ConfigFile): void {
  for (const m of file.models) {
    try {
      checkModelName(m.name);
      new ServedModel(m.name, m.spec as string, m.metrics ?? [], m.drift);
    } catch (err) {
      if (err instanceof BrookError || err instanceof LearnError) {
        throw new UsageError(`${m.where} ("${m.name}"): ${err.message}`);
      }
      throw err;
    }
  }
}

/** The address to reach a server listening on `host:port` from this machine. */
export function localUrl(host: string, port: number): string {
  const h = host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host;
  return `http://${h.includes(":") ? `[${h}]` : h}:${port}`;
}

/**
 * Creates the file's models on the server at `url`, waiting (up to `timeoutMs`) until it is
 * ready. Failures are logged, not thrown: the server is up and serves the other models.
 */
export async function createDeclaredModels(
  url: string,
  file: ConfigFile,
  log: DeclaredModelsLog,
  timeoutMs = 30_000,
): Promise<void> {
  if (file.models.length === 0) return;
  // With API keys, the models are created with BROOK_API_KEY (an admin key); without, from loopback.
  const apiKey = process.env.BROOK_API_KEY || undefined;
  const client = new BrookClient(url, { timeoutMs: 10_000, ...(apiKey !== undefined && { apiKey }) });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.ready();
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        log.error(
          { err, url },
          `cannot create the models of ${file.path}: the server did not answer at ${url}`,
        );
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  for (const m of file.models) await createOne(client, m, file.path, log);
}

async function createOne(client: BrookClient, m: DeclaredModel, path: string, log: DeclaredModelsLog) {
  const fields = { model: m.name, spec: m.spec, config: path };
  try {
    const { created, model } = await client.createModel(m.name, {
      spec: m.spec,
      metrics: m.metrics,
      drift: m.drift,
    });
    if (created) log.info(fields, `model "${m.name}" created as ${path} declares it`);
    else log.info({ ...fields, version: model.version }, `model "${m.name}" ready (as ${path} declares it)`);
  } catch (err) {
    if (err instanceof BrookApiError && err.code === "BROOK_MODEL_EXISTS") {
      log.warn(
        fields,
        `model "${m.name}" already exists with another spec, metrics or drift detector; the stored one is kept and ${path}'s is ignored (delete the model or use another data folder to change it)`,
      );
      return;
    }
    log.error({ ...fields, err }, `model "${m.name}" of ${path} could not be created`);
  }
}
