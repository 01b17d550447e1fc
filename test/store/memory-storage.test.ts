import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { recordSeq } from "../../src/codec/events.js";
import { FileEventLog, listSegments } from "../../src/store/file/segmented-log.js";
import {
  type MemoryCheckpointStore,
  MemoryEventLog,
  MemoryStorage,
} from "../../src/store/memory/memory-storage.js";
import { scan } from "../../src/store/record.js";
import { tempDir } from "../helpers/tmp.js";
import { sampleEvent, storeContract } from "./contract.js";

let current: MemoryStorage | undefined;
storeContract("memory", {
  persistent: true, // "reopening" the same in-memory storage object sees what it holds
  setUp: () => {
    current = new MemoryStorage();
  },
  tearDown: () => {
    current = undefined;
  },
  open: async () => current!,
  damageCheckpoint: async (s, model, seq) => {
    ((await s.openCheckpoints(model)) as MemoryCheckpointStore).damage(seq);
  },
});

describe("the memory log keeps the file log's record bytes", () => {
  it("each event is the same payload bytes the file log frames on disk", async () => {
    const tmp = tempDir();
    try {
      const memory = new MemoryEventLog();
      const file = await FileEventLog.open(tmp.dir, {
        fsync: "always",
        fsyncIntervalMs: 50,
        segmentBytes: 1 << 20,
      });
      for (let i = 1; i <= 30; i++) {
        await memory.append(i, [sampleEvent(i)]);
        await file.append(i, [sampleEvent(i)]);
      }
      await file.close();
      const [seg] = listSegments(tmp.dir);
      const onDisk = scan(readFileSync(seg!.path), 1, recordSeq).records;
      assert.equal(onDisk.length, 30);
      for (const r of onDisk) assert.deepEqual(memory.recordBytes(r.seq), r.payload, `seq ${r.seq}`);
    } finally {
      tmp.remove();
    }
  });
});
