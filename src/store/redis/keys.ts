/**
 * Every Redis key Brook uses, built here and nowhere else. All keys start with a configurable
 * prefix (several Brook deployments, or tests, can share one Redis); a model's keys carry its
 * name as a hash tag (`{name}`), so Redis Cluster would keep each model's keys in one slot and
 * the scripts that touch several of them stay legal. A model's data keys also carry its
 * generation (a number drawn at creation): a model deleted and created again under the same name
 * never sees the old one's keys (its pending ids, labelled markers, checkpoints), which expire
 * or are deleted in the background.
 */

/** The keys of one generation of one model. */
export interface ModelKeys {
  /** Hash: `gen` (the current generation), `head` (last seq), `first` (oldest seq kept). */
  meta: string;
  /** Lease of the model's checkpointer: `<token>|<fence>`, with a TTL. */
  lease: string;
  /** Counter: the fencing token of the next lease holder. */
  fence: string;
  /** Stream: the model's log, entry id `<seq>-0`, field `r` the record bytes. */
  stream: string;
  /** Sorted set: event ids (member) by the seq that logged them (score). */
  eventIds: string;
  /** Sorted set: waiting remembered ids (member) by expiry time (score). */
  pendingIndex: string;
  /** Hash: checkpoint seq → its info (JSON: seq, version, createdAt, bytes, fence, sha256). */
  checkpoints: string;
  /** String: `<seq>|<fence>` of the newest checkpoint (the pointer). */
  latest: string;
  /** Hash: what the lease holder last published about the model (version, metrics, checkpoint). */
  stats: string;
  /** A remembered prediction: hash `s` (seq), `e` (expiry), `r` (record), or `l` once labelled. */
  pending(id: string): string;
  /** What every pending key starts with (scripts build the keys of evicted ids from it). */
  pendingPrefix: string;
  /** String: the envelope of the checkpoint at `seq`. */
  checkpoint(seq: number): string;
  /** What every checkpoint key starts with (the prune script builds them from it). */
  checkpointPrefix: string;
}

export class KeySpace {
  /** @param prefix put before every key (`brook:` by default; tests use one each). */
  constructor(readonly prefix: string) {}

  /** Hash: model name → its creation record (JSON). */
  get registry(): string {
    return `${this.prefix}registry`;
  }

  /** Stream: models created and deleted, checkpoint requests: what every node follows besides the logs. */
  get control(): string {
    return `${this.prefix}control`;
  }

  /** Counter: the generation of the next model created. */
  get generations(): string {
    return `${this.prefix}generations`;
  }

  /** String with a TTL: held while a node restores the registry from a backup. */
  get restoring(): string {
    return `${this.prefix}restoring`;
  }

  /** The keys of model `name` in generation `gen`. */
  model(name: string, gen: number): ModelKeys {
    const tag = `${this.prefix}{${name}}`;
    const data = `${tag}:${gen}`;
    return {
      meta: `${tag}:meta`,
      lease: `${tag}:lease`,
      fence: `${tag}:fence`,
      stream: `${data}:log`,
      eventIds: `${data}:eids`,
      pendingIndex: `${data}:pending`,
      checkpoints: `${data}:ckpts`,
      latest: `${data}:latest`,
      stats: `${data}:stats`,
      pending: (id) => `${data}:p:${id}`,
      pendingPrefix: `${data}:p:`,
      checkpoint: (seq) => `${data}:ckpt:${seq}`,
      checkpointPrefix: `${data}:ckpt:`,
    };
  }

  /** Every key of a model generation except the per-id and per-checkpoint ones (see `pending`, `checkpoint`). */
  dataKeys(k: ModelKeys): string[] {
    return [k.stream, k.eventIds, k.pendingIndex, k.checkpoints, k.latest, k.stats];
  }
}

/** The id of the stream entry of event `seq`. */
export function entryId(seq: number): string {
  return `${seq}-0`;
}

/** The seq of a stream entry id (`<seq>-0`). */
export function seqOfEntry(id: string | Buffer): number {
  const s = typeof id === "string" ? id : id.toString("latin1");
  return Number(s.slice(0, s.indexOf("-")));
}
