import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FileStorage } from "../../src/store/file/storage.js";
import { tempDir } from "../helpers/tmp.js";
import { storeContract } from "./contract.js";

let tmp: ReturnType<typeof tempDir> | undefined;
storeContract("file", {
  persistent: true,
  setUp: () => {
    tmp = tempDir();
  },
  tearDown: () => {
    tmp?.remove();
    tmp = undefined;
  },
  // Small segments, so that reads and compaction cross segment files.
  open: async () => new FileStorage(tmp!.dir, { fsync: "always", fsyncIntervalMs: 50, segmentBytes: 2048 }),
  damageCheckpoint: async (_s, model, seq) => {
    const dir = join(tmp!.dir, "models", model, "checkpoints");
    const file = readdirSync(dir).find((f) => f.startsWith(String(seq).padStart(20, "0")))!;
    const text = readFileSync(join(dir, file), "utf8");
    writeFileSync(join(dir, file), text.replace("[4,5,6]", "[4,5,7]"));
  },
});
