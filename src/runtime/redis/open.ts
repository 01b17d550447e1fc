/** A Redis node as a configuration describes it (`--store redis://...`, `--role`, leases, backups). */
import type { Config } from "../../config/config.js";
import { DEFAULT_MODEL } from "../../models/names.js";
import { backupTarget } from "../../store/backup/target.js";
import { parseRedisUrl } from "../../store/redis/connection.js";
import { type NodeOptions, RedisNode } from "./node.js";

/** The node's options from the configuration (the store setting is its Redis URL). */
export async function nodeOptions(config: Config, logger: NodeOptions["logger"]): Promise<NodeOptions> {
  return {
    target: parseRedisUrl(config.store),
    prefix: config.redisPrefix,
    role: config.role,
    pendingTtlMs: config.pendingTtl * 1000,
    pendingCapacity: config.pendingCapacity,
    eventIdCapacity: config.eventIdCapacity,
    history: { every: config.historyEvery, capacity: config.historyPoints },
    checkpointEvery: config.checkpointEvery,
    checkpointIntervalMs: config.checkpointInterval * 1000,
    checkpointKeep: config.checkpointKeep,
    retain: config.retain,
    leaseTtlMs: config.leaseTtlMs,
    backup: config.backup ? await backupTarget(config.backup, { endpoint: config.s3Endpoint }) : undefined,
    backupIntervalMs: config.backupInterval * 1000,
    backupKeep: config.backupKeep,
    defaultModel: { name: DEFAULT_MODEL, spec: config.model, metrics: config.metrics },
    applyTimeoutMs: Math.max(10_000, config.readWaitMs),
    maxForecastOrder: config.maxForecastOrder,
    logger,
  };
}

/** Connects to the configured Redis and starts a node (every model loaded and followed). */
export async function startNode(config: Config, logger: NodeOptions["logger"]): Promise<RedisNode> {
  return RedisNode.start(await nodeOptions(config, logger));
}
