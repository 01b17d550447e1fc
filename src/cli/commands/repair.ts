/**
 * `brook repair --data-dir D --model M --truncate-at SEQ`: cuts a model's log before seq SEQ,
 * explicitly (Brook never does it silently), keeping a copy of everything it cuts next to the
 * segment, under the data folder's lock (refused while a server holds it).
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { loadConfig } from "../../config/config.js";
import { truncateLog } from "../../store/file/repair.js";
import { numberOption } from "../numbers.js";

export function addRepairCommand(program: Command): void {
  program
    .command("repair")
    .description(
      "cut a model's log at a seq (e.g. where brook doctor found corruption), keeping a copy of what is cut",
    )
    .option("--data-dir <dir>", "data folder (env BROOK_DATA_DIR, default ./data)")
    .requiredOption("--model <name>", "the model whose log to cut")
    .requiredOption(
      "--truncate-at <seq>",
      "the first seq to cut (the log then ends at seq - 1)",
      numberOption("truncate-at", { min: 1, integer: true }),
    )
    .action(async (opts: { dataDir?: string; model: string; truncateAt: number }) => {
      const dataDir = resolve(loadConfig(opts.dataDir ? { dataDir: opts.dataDir } : {}).dataDir);
      const r = await truncateLog(dataDir, opts.model, opts.truncateAt);
      console.log(
        `model "${opts.model}": cut ${r.cutEvents} event(s), ${r.cutBytes} byte(s) from seq ${opts.truncateAt}; the log now ends at seq ${r.headSeq}`,
      );
      for (const k of r.kept) console.log(`kept: ${k}`);
    });
}
