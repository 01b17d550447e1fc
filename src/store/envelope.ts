/**
 * A checkpoint as one self-checking text: a first line of metadata (format, seq, version, time,
 * body size, SHA-256 of the body, the fencing token of the writer), then the body (the state as
 * JSON). The file store's checkpoint files have this shape; Redis keeps it as one value and
 * backups as one object, so a checkpoint moves between them unchanged.
 */
import { createHash } from "node:crypto";
import type { Json } from "../learn/index.js";
import { CheckpointCorruptError, type CheckpointInfo } from "./ports.js";

const FORMAT = "brook.checkpoint";

/** What the first line says. */
export interface EnvelopeMeta {
  seq: number;
  version: number;
  createdAt: string;
  /** Bytes of the body. */
  bytes: number;
  sha256: string;
  /** The fencing token of the lease holder that wrote it (0: written without a lease). */
  fence: number;
}

/** The envelope of a checkpoint body; `info.bytes` is the envelope's size. */
export function sealCheckpoint(
  info: Omit<CheckpointInfo, "bytes">,
  body: Json,
  fence = 0,
): { text: string; meta: EnvelopeMeta; info: CheckpointInfo } {
  const text = JSON.stringify(body);
  const meta: EnvelopeMeta = {
    seq: info.seq,
    version: info.version,
    createdAt: info.createdAt,
    bytes: Buffer.byteLength(text),
    sha256: createHash("sha256").update(text).digest("hex"),
    fence,
  };
  const sealed = `${JSON.stringify({ format: FORMAT, ...meta })}\n${text}`;
  return { text: sealed, meta, info: { ...info, bytes: Buffer.byteLength(sealed) } };
}

/** The metadata line of an envelope, or undefined when it has none. */
export function envelopeMeta(sealed: string): EnvelopeMeta | undefined {
  const nl = sealed.indexOf("\n");
  if (nl <= 0) return undefined;
  try {
    const m = JSON.parse(sealed.slice(0, nl)) as Record<string, unknown>;
    if (m.format !== FORMAT || typeof m.seq !== "number") return undefined;
    return {
      seq: m.seq,
      version: typeof m.version === "number" ? m.version : -1,
      createdAt: typeof m.createdAt === "string" ? m.createdAt : "",
      bytes: typeof m.bytes === "number" ? m.bytes : -1,
      sha256: String(m.sha256),
      fence: typeof m.fence === "number" ? m.fence : 0,
    };
  } catch {
    return undefined;
  }
}

/**
 * The body of an envelope that says it holds the checkpoint at `seq`; throws
 * `CheckpointCorruptError` (naming `where`) when it is damaged or is another checkpoint.
 */
export function openCheckpoint(sealed: string, seq: number, where: string): Json {
  const meta = envelopeMeta(sealed);
  if (!meta || meta.seq !== seq) throw new CheckpointCorruptError(where, `${where} has no valid header`);
  const body = sealed.slice(sealed.indexOf("\n") + 1);
  const sha = createHash("sha256").update(body).digest("hex");
  if (Buffer.byteLength(body) !== meta.bytes || sha !== meta.sha256)
    throw new CheckpointCorruptError(where, `${where} fails its checksum (truncated or damaged)`);
  return JSON.parse(body) as Json;
}
