/**
 * Where a server process gets its API keys: the keys file (`--keys-file`, or
 * `<data-dir>/keys.json` with the file store) and `BROOK_API_KEYS`. Every process (each
 * `--workers` worker too) reads them itself and polls the file, so a key created, deleted or
 * rotated with `brook keys` takes effect everywhere within about a second, without a restart.
 */
import { readFileSync, statSync, unwatchFile, watchFile } from "node:fs";
import { join } from "node:path";
import type { Config } from "../../config/config.js";
import { BrookError, brookError } from "../../errors.js";
import { type KeyRecord, KeyRing, parseKeys } from "./keys.js";

/** How often the keys file is looked at for changes (a stat; ms). */
const POLL_MS = 1000;

interface Log {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** The keys file `config` names: `--keys-file`, else `<data-dir>/keys.json` with the file store. */
export function keysFilePath(config: Pick<Config, "keysFile" | "store" | "dataDir">): string | undefined {
  if (config.keysFile !== "") return config.keysFile;
  return config.store === "file" ? join(config.dataDir, "keys.json") : undefined;
}

/** The records of a keys file, or [] when it does not exist. Throws a config error when it is bad. */
export function readKeysFile(path: string): KeyRecord[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return [];
    throw brookError("INVALID_CONFIG", `cannot read the keys file ${path}: ${code ?? "I/O error"}`);
  }
  return parseKeys(text, path);
}

/** The keys a process checks requests against, kept current. */
export class KeySource {
  private ring: KeyRing;
  private fileRecords: KeyRecord[] = [];
  private readonly envRecords: KeyRecord[];
  private watching = false;

  private constructor(
    readonly path: string | undefined,
    envText: string,
    private readonly log: Log | undefined,
  ) {
    this.envRecords = envText === "" ? [] : parseKeys(envText, "BROOK_API_KEYS");
    this.ring = new KeyRing(this.envRecords);
  }

  /**
   * The keys of `config`, read now: a bad keys file or variable stops the start (a server
   * that meant to be locked must not start open). A `--keys-file` that does not exist does
   * too; the default `<data-dir>/keys.json` may be missing (no keys yet: protected mode).
   */
  static fromConfig(config: Config, log?: Log): KeySource {
    const path = keysFilePath(config);
    const source = new KeySource(path, config.apiKeys, log);
    if (path !== undefined) {
      if (config.keysFile !== "" && !exists(path)) {
        throw brookError(
          "INVALID_CONFIG",
          `the keys file ${path} (--keys-file) does not exist: create a key with "brook keys create --keys-file ${path} --scopes predict"`,
        );
      }
      source.fileRecords = readKeysFile(path);
      source.rebuild();
    }
    return source;
  }

  /** No keys at all (protected mode), nothing read. */
  static none(): KeySource {
    return new KeySource(undefined, "", undefined);
  }

  /** The keys now. */
  get current(): KeyRing {
    return this.ring;
  }

  /** Whether any key is configured (otherwise: protected mode). */
  get configured(): boolean {
    return this.ring.size > 0;
  }

  /** Reads the file again; a bad file is logged and the keys stay as they were. */
  reload(): void {
    if (this.path === undefined) return;
    try {
      this.fileRecords = readKeysFile(this.path);
    } catch (err) {
      const message = err instanceof BrookError ? err.message : "unreadable";
      this.log?.error({ file: this.path }, `API keys not reloaded, the previous ones stay: ${message}`);
      return;
    }
    this.rebuild();
    this.log?.info({ file: this.path, keys: this.ring.size }, `API keys reloaded: ${this.ring.size}`);
  }

  /** Polls the file for changes (created, rewritten, deleted) until {@link close}. */
  watch(): void {
    if (this.path === undefined || this.watching) return;
    this.watching = true;
    // A stat poll, not fs.watch: it sees a file replaced by a rename and one that appears later.
    watchFile(this.path, { interval: POLL_MS, persistent: false }, (now, before) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size || now.ino !== before.ino) this.reload();
    });
  }

  close(): void {
    if (this.watching && this.path !== undefined) unwatchFile(this.path);
    this.watching = false;
  }

  private rebuild(): void {
    const byId = new Map<string, KeyRecord>();
    for (const r of [...this.envRecords, ...this.fileRecords]) byId.set(r.id, r);
    this.ring = new KeyRing([...byId.values()]);
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
