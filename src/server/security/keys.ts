/**
 * API keys: their format, their hashes, the keys file's shape, and the key ring that finds the
 * record of a presented key. A key is `brk_<id>_<secret>`: the id (12 hex digits) names the key
 * in logs, metrics and messages; only its SHA-256 is ever stored.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { brookError } from "../../errors.js";

/** What a key may do; a key has one or more, each granted explicitly (none implies another). */
export type KeyScope = "predict" | "learn" | "admin";

export const KEY_SCOPES: readonly KeyScope[] = ["predict", "learn", "admin"];

/** One key as the keys file stores it. */
export interface KeyRecord {
  /** The public part of the key (`brk_<id>_...`): safe to log and show. */
  id: string;
  /** Hex SHA-256 of the whole key. */
  sha256: string;
  scopes: KeyScope[];
  /** The models the key may touch; absent: every model. */
  models?: string[];
  /** When it was made (ISO 8601), for people rotating keys. */
  created?: string;
  /** A note for people (who holds it). */
  label?: string;
}

const KEY = /^brk_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;
const ID = /^[0-9a-f]{12}$/;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * SHA-256 of a key. A fast hash is right here (unlike for passwords): a key holds 256 random
 * bits, so there is nothing to guess from its hash however fast guesses are, and a fast hash
 * keeps the check cheap on every request.
 */
export function hashKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** The id of a well-formed key, or undefined. */
export function keyId(key: string): string | undefined {
  return KEY.exec(key)?.[1];
}

/** A new random key and its record (the key itself is shown once, then only its hash is kept). */
export function generateKey(
  scopes: KeyScope[],
  options: { models?: string[]; label?: string; now?: Date } = {},
): { key: string; record: KeyRecord } {
  const id = randomBytes(6).toString("hex");
  const key = `brk_${id}_${randomBytes(32).toString("base64url")}`;
  const record: KeyRecord = { id, sha256: hashKey(key), scopes: [...scopes] };
  if (options.models !== undefined) record.models = [...options.models];
  record.created = (options.now ?? new Date()).toISOString();
  if (options.label !== undefined) record.label = options.label;
  return { key, record };
}

/** Parses a comma-separated scope list (`learn,predict`); throws a usage-level config error. */
export function parseScopes(list: string, where: string): KeyScope[] {
  const scopes = list
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== "");
  if (scopes.length === 0) throw invalid(`${where}: give at least one scope (${KEY_SCOPES.join(", ")})`);
  for (const s of scopes) {
    if (!(KEY_SCOPES as readonly string[]).includes(s))
      throw invalid(`${where}: unknown scope "${s.slice(0, 40)}" (one of ${KEY_SCOPES.join(", ")})`);
  }
  return [...new Set(scopes)] as KeyScope[];
}

function invalid(message: string) {
  return brookError("INVALID_CONFIG", message);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The records of a keys document: `{"keys": [...]}` (the file's shape) or a bare list. Every
 * mistake names `where` and the entry, never a hash or a key.
 */
export function parseKeys(text: string, where: string): KeyRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalid(`${where} is not valid JSON (expected {"keys": [...]})`);
  }
  const list = Array.isArray(doc) ? doc : isObject(doc) ? doc.keys : undefined;
  if (!Array.isArray(list)) throw invalid(`${where} must hold {"keys": [...]}`);
  const seen = new Set<string>();
  return list.map((entry, i) => {
    const at = `${where}: keys[${i}]`;
    if (!isObject(entry)) throw invalid(`${at} must be an object {"id", "sha256", "scopes", "models"?}`);
    const { id, sha256, scopes, models, created, label } = entry;
    if (typeof id !== "string" || !ID.test(id)) throw invalid(`${at}.id must be 12 hex digits`);
    if (seen.has(id)) throw invalid(`${at}: the id ${id} is there twice`);
    seen.add(id);
    if (typeof sha256 !== "string" || !HEX64.test(sha256))
      throw invalid(`${at}.sha256 must be 64 hex digits (the key's SHA-256, never the key)`);
    if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === "string"))
      throw invalid(`${at}.scopes must be a list of scopes (${KEY_SCOPES.join(", ")})`);
    const record: KeyRecord = { id, sha256, scopes: parseScopes(scopes.join(","), `${at}.scopes`) };
    if (models !== undefined) {
      if (!Array.isArray(models) || !models.every((m) => typeof m === "string" && m !== ""))
        throw invalid(`${at}.models must be a list of model names`);
      record.models = models as string[];
    }
    if (typeof created === "string") record.created = created;
    if (typeof label === "string") record.label = label;
    return record;
  });
}

/** The keys file's text for `records`. */
export function formatKeys(records: readonly KeyRecord[]): string {
  return `${JSON.stringify({ keys: records }, null, 2)}\n`;
}

/** A presented key's record, found by its id, the hash compared in constant time. */
export class KeyRing {
  private readonly byId = new Map<string, { record: KeyRecord; hash: Buffer }>();
  /** Compared against when the id is unknown, so that both failures take the same time. */
  private static readonly NOTHING = Buffer.alloc(32);

  constructor(records: readonly KeyRecord[]) {
    for (const record of records)
      this.byId.set(record.id, { record, hash: Buffer.from(record.sha256, "hex") });
  }

  get size(): number {
    return this.byId.size;
  }

  /** The record of `key`, or undefined for a malformed, unknown or wrong key. */
  find(key: string): KeyRecord | undefined {
    const id = keyId(key);
    const entry = id === undefined ? undefined : this.byId.get(id);
    const given = createHash("sha256").update(key, "utf8").digest();
    const same = timingSafeEqual(given, entry?.hash ?? KeyRing.NOTHING);
    return same && entry ? entry.record : undefined;
  }
}
