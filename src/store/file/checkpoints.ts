import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Json } from "../../learn/index.js";
import { CheckpointCorruptError, type CheckpointInfo, type CheckpointStore } from "../ports.js";
import { writeFileAtomic } from "./fs-util.js";

const FILE = /^(\d{20})\.ckpt$/;
const fileName = (seq: number) => `${String(seq).padStart(20, "0")}.ckpt`;
const FORMAT = "brook.checkpoint";

/**
 * Checkpoint files: a first line of metadata with the SHA-256 of the body, then the body (the
 * model state as JSON). Written to a temporary file, fsynced and renamed, so a checkpoint is
 * either complete or absent; a damaged one fails its checksum and recovery uses the one before.
 */
export class FileCheckpointStore implements CheckpointStore {
  private infos: CheckpointInfo[] = [];

  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<FileCheckpointStore> {
    await mkdir(dir, { recursive: true });
    const store = new FileCheckpointStore(dir);
    for (const f of readdirSync(dir).sort()) {
      const m = FILE.exec(f);
      if (!m) continue;
      const path = join(dir, f);
      const meta = readMeta(path);
      store.infos.push({
        seq: Number(m[1]),
        version: typeof meta?.version === "number" ? meta.version : -1,
        createdAt: typeof meta?.createdAt === "string" ? meta.createdAt : "",
        bytes: statSync(path).size,
      });
    }
    return store;
  }

  async save(info: Omit<CheckpointInfo, "bytes">, body: Json): Promise<CheckpointInfo> {
    const text = JSON.stringify(body);
    const sha256 = createHash("sha256").update(text).digest("hex");
    const meta = JSON.stringify({
      format: FORMAT,
      version: info.version,
      seq: info.seq,
      createdAt: info.createdAt,
      bytes: Buffer.byteLength(text),
      sha256,
    });
    const data = `${meta}\n${text}`;
    await writeFileAtomic(join(this.dir, fileName(info.seq)), data);
    const saved = { ...info, bytes: Buffer.byteLength(data) };
    this.infos = [...this.infos.filter((c) => c.seq !== info.seq), saved].sort((a, b) => a.seq - b.seq);
    return saved;
  }

  list(): CheckpointInfo[] {
    return [...this.infos];
  }

  load(seq: number): Json {
    const path = join(this.dir, fileName(seq));
    let data: string;
    try {
      data = readFileSync(path, "utf8");
    } catch (err) {
      throw new CheckpointCorruptError(path, `${path} cannot be read: ${(err as Error).message}`);
    }
    const nl = data.indexOf("\n");
    const meta = nl > 0 ? safeParse(data.slice(0, nl)) : undefined;
    const body = nl > 0 ? data.slice(nl + 1) : "";
    if (!meta || meta.format !== FORMAT || meta.seq !== seq)
      throw new CheckpointCorruptError(path, `${path} has no valid header`);
    const sha = createHash("sha256").update(body).digest("hex");
    if (Buffer.byteLength(body) !== meta.bytes || sha !== meta.sha256) {
      throw new CheckpointCorruptError(path, `${path} fails its checksum (truncated or damaged)`);
    }
    return JSON.parse(body) as Json;
  }

  async prune(keep: number): Promise<void> {
    const drop = this.infos.slice(0, Math.max(0, this.infos.length - keep));
    for (const c of drop) await rm(join(this.dir, fileName(c.seq)), { force: true });
    this.infos = this.infos.slice(drop.length);
  }
}

function safeParse(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text);
    return typeof v === "object" && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

function readMeta(path: string): Record<string, unknown> | undefined {
  try {
    const data = readFileSync(path);
    const nl = data.indexOf(10);
    return nl > 0 ? safeParse(data.subarray(0, nl).toString("utf8")) : undefined;
  } catch {
    return undefined;
  }
}
