/** The start-up line of a Redis node: where it listens, its role, which Redis (no password), every model. */
import type { Config } from "../../config/config.js";
import type { RedisNode } from "./node.js";

export function logNodeStartup(
  log: { info(obj: object, msg: string): void },
  config: Config,
  node: RedisNode,
  url: string,
): void {
  const models = node
    .list()
    .map((s) => ({ name: s.follower.record.name, version: s.follower.model.version }));
  const redis = node.options.target.shown;
  const shown = models.map((m) => `${m.name} v${m.version}`).join(", ") || "none";
  log.info(
    {
      url,
      role: config.role,
      node: node.id,
      redis,
      prefix: config.redisPrefix,
      backup: config.backup || undefined,
      models,
    },
    `Brook listening on ${url} (node ${node.id}, role ${config.role}; store ${redis}, prefix ${config.redisPrefix}; models: ${shown})`,
  );
}
