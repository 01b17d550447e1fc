/**
 * `brook restore --from <dir|s3://bucket/prefix> --store redis://...`: puts every model of a
 * backup into an empty Redis (each from its newest good checkpoint), for nodes to start on.
 * Refused when the Redis prefix holds models already (a restore never mixes with live data).
 * A node of role learn or all started with `--backup` restores by itself when it finds Redis
 * empty; this command does it without starting a server.
 */
import type { Command } from "commander";
import { isRedisStore, loadConfig } from "../../config/config.js";
import { UsageError } from "../../errors.js";
import { backupTarget } from "../../store/backup/target.js";
import { parseRedisUrl } from "../../store/redis/connection.js";
import { restoreFromBackup } from "../../store/redis/restore.js";
import { RedisStorage } from "../../store/redis/storage.js";

export function addRestoreCommand(program: Command): void {
  program
    .command("restore")
    .description("restore every model of a backup (a folder or s3://bucket/prefix) into an empty Redis")
    .requiredOption("--from <target>", "the backup: a folder, or s3://bucket/prefix")
    .option("--store <url>", "the Redis to restore into (env BROOK_STORE or BROOK_REDIS_URL)")
    .option(
      "--redis-prefix <prefix>",
      "the key prefix of the deployment (env BROOK_REDIS_PREFIX, default brook:)",
    )
    .option("--s3-endpoint <url>", "an S3-compatible endpoint, path-style (env BROOK_S3_ENDPOINT)")
    .action(async (opts: { from: string; store?: string; redisPrefix?: string; s3Endpoint?: string }) => {
      const config = loadConfig({
        ...(opts.store !== undefined && { store: opts.store }),
        ...(opts.redisPrefix !== undefined && { redisPrefix: opts.redisPrefix }),
        ...(opts.s3Endpoint !== undefined && { s3Endpoint: opts.s3Endpoint }),
        backup: opts.from,
      });
      if (!isRedisStore(config.store))
        throw new UsageError("brook restore needs the Redis to restore into: --store redis://host:port/db");
      let target: ReturnType<typeof parseRedisUrl>;
      try {
        target = parseRedisUrl(config.store);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const backup = await backupTarget(config.backup, { endpoint: config.s3Endpoint });
      const storage = await RedisStorage.open(target, config.redisPrefix, "brook:restore");
      try {
        const restored = await restoreFromBackup(storage, backup, {
          warn: (obj, msg) => console.error(`brook: ${msg} ${JSON.stringify(obj)}`),
          info: () => {},
        });
        for (const r of restored)
          console.log(
            `restored model "${r.model}" at seq ${r.seq} (version ${r.version}) from ${backup.location}`,
          );
        console.log(`${restored.length} model(s) restored into ${storage.location}`);
      } catch (err) {
        throw new UsageError(`restore refused: ${(err as Error).message}`);
      } finally {
        await storage.close();
      }
    });
}
