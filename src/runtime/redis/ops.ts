/**
 * The operations (`ModelOps`) of a Redis node: every write is one checked append to the
 * model's stream (store/redis/append.ts), so any node accepts any write and Redis decides the
 * order; a learn is answered once this node has applied it (its version and metrics are this
 * node's own, equal to every node's at that seq). Admin goes through the shared registry;
 * checkpoints are taken by the model's lease holder, wherever it runs.
 */
import type { LogEvent } from "../../codec/events.js";
import { BrookError, brookError } from "../../errors.js";
import { drawSeeds, type Json } from "../../learn/index.js";
import type { LearnItem, RememberItem } from "../../models/admission.js";
import { detailsOf, type ModelDetails, type ModelSummary, summaryOf } from "../../models/describe.js";
import type { Applied } from "../../models/log-follower.js";
import { checkModelName } from "../../models/names.js";
import { ServedModel } from "../../models/served-model.js";
import {
  eventItem,
  labelIds,
  learnItems,
  type Prepared,
  refusalError,
  rememberItems,
} from "../../models/shared-admission.js";
import type { LearnOptions, LearnResult } from "../../models/writer.js";
import type { CheckpointInfo, ModelRecord } from "../../store/ports.js";
import { type AppendReply, appendChecked, countPending, readPending } from "../../store/redis/append.js";
import { leaseHolder } from "../../store/redis/lease.js";
import type { EngineHealth } from "../engine.js";
import type { ModelOps } from "../ops.js";
import type { RedisNode, Served } from "./node.js";

/** How long a checkpoint asked of another node's lease holder may take (ms). */
const CHECKPOINT_WAIT_MS = 10_000;

export class RedisOps implements ModelOps {
  constructor(private readonly node: RedisNode) {}

  private get applyTimeoutMs(): number {
    return this.node.options.applyTimeoutMs ?? 10_000;
  }

  async health(): Promise<EngineHealth> {
    return this.node.health();
  }

  async list(): Promise<ModelSummary[]> {
    return this.node.list().map((s) => summaryOf(s.follower.model));
  }

  /**
   * Appends prepared items with their checks, after the pre-append hook. Resolves with the
   * script's reply and, when something was appended, with this node's model right after it.
   */
  private async append(
    s: Served,
    prepared: readonly Prepared[],
    options: { texts?: boolean; wait: boolean; now: number },
  ): Promise<{ reply: AppendReply; applied: Promise<Applied> | undefined }> {
    const name = s.follower.record.name;
    this.node.assertWritable(name);
    const events = prepared.flatMap((p) => (p.event ? [p.event] : []));
    await this.node.beforeAppend?.(name, events);
    const origin = options.wait ? this.node.nextOrigin() : undefined;
    const applied = origin
      ? s.follower.expect(origin, options.texts ?? false, this.applyTimeoutMs)
      : undefined;
    // Nobody may be awaiting it yet when it rejects (the model deleted during the append).
    applied?.catch(() => undefined);
    let reply: AppendReply;
    try {
      reply = await appendChecked(this.node.redis, s.keys, {
        gen: s.follower.gen,
        now: options.now,
        items: prepared.map((p) => p.item),
        ...(origin !== undefined && { origin }),
        eventIdCapacity: this.node.options.eventIdCapacity,
        pendingCapacity: this.node.options.pendingCapacity,
        graceMs: this.node.options.pendingTtlMs,
      });
    } catch (err) {
      if (origin) s.follower.cancel(origin);
      throw this.node.unavailable(name, err);
    }
    if (origin && (!reply.ok || !reply.seqs.some((q) => q > 0))) s.follower.cancel(origin);
    return { reply, applied: reply.ok && reply.seqs.some((q) => q > 0) ? applied : undefined };
  }

  async learn(name: string, items: readonly LearnItem[], options: LearnOptions = {}): Promise<LearnResult> {
    if (!options.partial) return this.learnAll(name, items, options);
    // A stream's batch: the script refuses a whole request for one bad item, so the refused
    // item is left out and the rest sent again (rare: a label for an unknown or taken id).
    const rejected: NonNullable<LearnResult["rejected"]> = [];
    let left = items.map((item, index) => ({ item, index }));
    for (;;) {
      try {
        const r = await this.learnAll(
          name,
          left.map((l) => l.item),
          options,
        );
        return { ...r, rejected: rejected.length > 0 ? rejected : undefined };
      } catch (err) {
        // The refused item is named by its path (`instances[3].id`, or `id` for a lone item).
        const path = err instanceof BrookError ? String(err.details?.path ?? "") : "";
        const at =
          /^instances\[(\d+)\]/.exec(path)?.[1] ?? (left.length === 1 && path === "id" ? "0" : undefined);
        if (!(err instanceof BrookError) || err.statusCode >= 500 || at === undefined || !left[Number(at)])
          throw err;
        rejected.push({ index: left[Number(at)]!.index, code: err.code, message: err.message });
        left = left.filter((_, i) => i !== Number(at));
        if (left.length === 0) {
          const model = this.node.served(name).follower.model;
          return {
            version: model.version,
            seq: model.seq,
            learned: 0,
            total: model.learned,
            duplicates: 0,
            rejected,
            metrics: model.metricValues(),
            texts: [],
          };
        }
      }
    }
  }

  private async learnAll(
    name: string,
    items: readonly LearnItem[],
    options: LearnOptions,
  ): Promise<LearnResult> {
    const s = this.node.served(name);
    const ids = labelIds(items);
    for (let attempt = 0; ; attempt++) {
      const now = Date.now();
      let pending: Awaited<ReturnType<typeof readPending>> = [];
      if (ids.length > 0) {
        this.node.assertWritable(name);
        try {
          pending = await readPending(this.node.redis, s.keys, ids);
        } catch (err) {
          throw this.node.unavailable(name, err);
        }
      }
      const prepared = learnItems(items, pending, now);
      const { reply, applied } = await this.append(s, prepared, { texts: options.texts, wait: true, now });
      if (!reply.ok) {
        // A remembered id taken again since it was read: read it again (rare; bounded).
        if (reply.why === "changed" && attempt < 3) continue;
        const why = reply.why === "changed" ? "notfound" : reply.why;
        throw refusalError(
          name,
          why,
          reply.index,
          items.length,
          items[reply.index]?.id,
          this.node.options.pendingTtlMs,
        );
      }
      const learned = reply.seqs.filter((q) => q > 0).length;
      const duplicates = reply.seqs.length - learned;
      if (applied) return { ...(await applied), learned, duplicates };
      // Only retries: answer with the version their first time produced, once applied here.
      await s.follower.reached(Math.max(...reply.seqs.map((q) => -q)), this.applyTimeoutMs);
      const model = s.follower.model;
      let version = 0;
      for (const item of items)
        version = Math.max(version, s.follower.state.eventIds.get(item.eventId ?? "") ?? model.version);
      return {
        version,
        seq: model.seq,
        learned: 0,
        total: model.learned,
        duplicates,
        metrics: model.metricValues(),
        texts: options.texts ? model.metricTexts() : [],
      };
    }
  }

  /** Remembers predictions in Redis (answered once appended: the model does not change). */
  async remember(name: string, items: readonly RememberItem[]): Promise<string[]> {
    const s = this.node.served(name);
    const now = Date.now();
    const { ids, prepared } = rememberItems(
      items,
      s.follower.model.version,
      now,
      this.node.options.pendingTtlMs,
    );
    const { reply } = await this.append(s, prepared, { wait: false, now });
    if (!reply.ok) {
      const why = reply.why === "changed" ? "conflict" : reply.why;
      throw refusalError(
        name,
        why,
        reply.index,
        items.length,
        ids[reply.index],
        this.node.options.pendingTtlMs,
      );
    }
    return ids;
  }

  /** Appends one plain event (rollback, import) and waits until this node applied it. */
  private async appendOne(s: Served, event: LogEvent): Promise<Applied> {
    const { reply, applied } = await this.append(s, [eventItem(event)], { wait: true, now: event.at });
    if (!reply.ok) throw refusalError(s.follower.record.name, "gone", 0, 1, undefined, 0);
    return applied!;
  }

  async create(name: string, spec: Json, metrics: readonly string[], drift?: string) {
    checkModelName(name);
    if (this.node.isClosed) throw brookError("UNAVAILABLE", "the server is shutting down");
    // Built once to check the spec and metrics before anything is stored; seeds drawn once for every node.
    const probe = new ServedModel(name, spec as string, metrics, drift);
    probe.checkForecastOrder(this.node.options.maxForecastOrder);
    const seeds = drawSeeds(probe.estimator.toSpec());
    const record: ModelRecord = { name, spec, metrics: [...metrics], createdAt: new Date().toISOString() };
    if (drift !== undefined) record.drift = drift;
    if (Object.keys(seeds).length > 0) record.seeds = seeds;
    let result: Awaited<ReturnType<RedisNode["storage"]["createModel"]>>;
    try {
      result = await this.node.storage.createModel(record);
    } catch (err) {
      throw this.node.unavailable(name, err);
    }
    if (!result.created) {
      const existing = result.record;
      if (
        JSON.stringify(existing.spec) !== JSON.stringify(spec) ||
        JSON.stringify(existing.metrics) !== JSON.stringify(metrics) ||
        existing.drift !== drift
      ) {
        throw brookError(
          "MODEL_EXISTS",
          `model "${name}" already exists with another spec or other metrics; delete it first`,
          {
            model: name,
          },
        );
      }
      const gen = (await this.node.storage.generation(name)) ?? 0;
      await this.node.ensure({ record: existing, gen });
      return { details: await this.details(name), created: false };
    }
    await this.node.ensure({ record, gen: result.gen });
    return { details: await this.details(name), created: true };
  }

  async delete(name: string): Promise<void> {
    this.node.served(name);
    try {
      await this.node.deleteModel(name);
    } catch (err) {
      if ((err as { code?: string }).code === "BROOK_MODEL_NOT_FOUND") throw err;
      throw this.node.unavailable(name, err);
    }
  }

  async checkpoint(name: string): Promise<CheckpointInfo> {
    const s = this.node.served(name);
    return this.checkpointAt(s, s.follower.seq, CHECKPOINT_WAIT_MS);
  }

  /**
   * A checkpoint at `target` or later: taken here when this node holds the model's lease, else
   * asked of the holder, wherever it runs, and waited for (until the pointer reaches `target`).
   */
  private async checkpointAt(s: Served, target: number, waitMs: number): Promise<CheckpointInfo> {
    const name = s.follower.record.name;
    if (s.duties?.holding) return s.duties.checkpoint();
    this.node.assertWritable(name);
    await this.node.requestCheckpoint(name, target).catch((err) => {
      throw this.node.unavailable(name, err);
    });
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (s.duties?.holding) return s.duties.checkpoint();
      const latest = await s.checkpoints.latest().catch(() => undefined);
      if (latest && latest.seq >= target) {
        const infos = await s.checkpoints.refresh();
        const info = infos.find((c) => c.seq === latest.seq);
        if (info) return info;
      }
      if (Date.now() > deadline)
        throw brookError(
          "UNAVAILABLE",
          `no checkpoint of model "${name}" was taken within ${waitMs / 1000} s: is a node of role learn or all running?`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async checkpoints(name: string) {
    const s = this.node.served(name);
    const checkpoints = await s.checkpoints.refresh().catch((err) => {
      throw this.node.unavailable(name, err);
    });
    return { version: s.follower.model.version, checkpoints };
  }

  async rollback(name: string, version: number) {
    const s = this.node.served(name);
    const infos = await s.checkpoints.refresh().catch((err) => {
      throw this.node.unavailable(name, err);
    });
    const target = infos.filter((c) => c.version <= version).pop();
    if (!target) {
      throw brookError("NO_CHECKPOINT", `model "${name}" has no checkpoint at or before version ${version}`, {
        version,
      });
    }
    // Fail before logging anything if the state at that checkpoint cannot be had.
    await s.checkpoints.fetch(target.seq);
    const after = await this.appendOne(s, { type: "rollback", checkpoint: target.seq, at: Date.now() });
    // A checkpoint of the rolled-back state before the answer (as the embedded writer does), so
    // that recovery never needs the target again; a failure here only makes a recovery longer.
    await this.checkpointAt(s, after.seq, 5000).catch((err: Error) =>
      this.node.options.logger.warn({ model: name, err: err.message }, "checkpoint after rollback failed"),
    );
    return { version: after.version, checkpoint: target, learned: after.total };
  }

  async import(name: string, doc: unknown) {
    const s = this.node.served(name);
    const checked = s.follower.model.checkImport(doc);
    const after = await this.appendOne(s, {
      type: "import",
      state: checked as unknown as Json,
      at: Date.now(),
    });
    return { version: after.version, learned: after.total };
  }

  async details(name: string): Promise<ModelDetails> {
    const s = this.node.served(name);
    const f = s.follower;
    const h = f.model;
    const k = s.keys;
    let checkpoints = s.checkpoints.list();
    let waiting = f.state.pending.size;
    let cluster: Record<string, unknown> = { node: this.node.id, role: this.node.role, lease: null };
    let logBytes = 0;
    let first = 1;
    try {
      const [infos, pending, holder, bounds, bytes] = await Promise.all([
        s.checkpoints.refresh(),
        countPending(this.node.redis, k, Date.now()),
        leaseHolder(this.node.redis, k),
        this.node.redis.hmget(k.meta, "head", "first"),
        this.node.redis.memory("USAGE", k.stream) as Promise<number | null>,
      ]);
      checkpoints = infos;
      waiting = pending;
      logBytes = Number(bytes ?? 0);
      first = Number(bounds[1] ?? 1);
      cluster = {
        ...cluster,
        head_seq: Number(bounds[0] ?? 0),
        lease: holder ? { node: holder.node, fence: holder.fence, expires_in_ms: holder.expiresInMs } : null,
      };
    } catch {
      // Redis unreachable: this node's own view (the problems say why).
    }
    const health = this.node.health();
    // Expired predictions leave this node's copy when looked at (as a checkpoint drops them).
    f.state.pending.sweep(Date.now());
    const details: ModelDetails = {
      ...detailsOf(h, f.record, { waiting, ...f.state.pending.counters }, checkpoints),
      disk: {
        log_bytes: logBytes,
        checkpoint_bytes: checkpoints.reduce((n, c) => n + c.bytes, 0),
        segments: 0,
        first_seq: first,
      },
      writable: health.ready,
      cluster,
    };
    const problems = health.problems
      .filter((p) => p.model === "" || p.model === name)
      .map(({ model: _m, ...p }) => p);
    if (problems.length) details.problems = problems;
    return details;
  }
}
