/**
 * Connections to Redis: the URL a node is given (`redis://[user:password@]host:port/db`, or
 * `rediss://` for TLS), shown without its password, and the two kinds of client a node opens:
 * one for commands (auto-pipelined: the commands of one tick go out in one write) and one for
 * the blocking reads that follow the logs. Both reconnect by themselves, forever; while one is
 * down its commands fail at once (no offline queue), so a learn is refused rather than held.
 */
import { Redis } from "ioredis";

/** Where a Redis is, parsed from its URL. */
export interface RedisTarget {
  url: string;
  host: string;
  port: number;
  db: number;
  tls: boolean;
  /** The URL without its password, for messages and logs. */
  shown: string;
}

/** Parses a `redis://` or `rediss://` URL; throws a message naming what is wrong. */
export function parseRedisUrl(url: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`"${url}" is not a URL (expected redis://host:port/db)`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:")
    throw new Error(`"${shownUrl(u)}" is not a redis:// or rediss:// URL`);
  if (!u.hostname) throw new Error(`"${shownUrl(u)}" has no host`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0 || db > 15)
    throw new Error(`"${shownUrl(u)}": the database must be a number from 0 to 15`);
  const port = u.port ? Number(u.port) : 6379;
  return {
    url,
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port,
    db,
    tls: u.protocol === "rediss:",
    shown: shownUrl(u),
  };
}

function shownUrl(u: URL): string {
  const copy = new URL(u.href);
  if (copy.password) copy.password = "***";
  return copy.href.replace(/\/$/, "");
}

export interface ConnectOptions {
  /** Longest wait for a command's answer before it fails (ms); blocking reads need more than their block. */
  commandTimeoutMs: number;
  /** Name shown by `CLIENT LIST` (which node, which job). */
  name: string;
  /** Pipelines the commands issued in one tick (the command client). */
  autoPipeline?: boolean;
}

/** A client of `target` that reconnects by itself (every 50 ms to 1 s) and never queues commands while down. */
export function connect(target: RedisTarget, options: ConnectOptions): Redis {
  return new Redis(target.url, {
    connectionName: options.name,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: Math.max(1000, options.commandTimeoutMs),
    enableAutoPipelining: options.autoPipeline ?? false,
    retryStrategy: (times) => Math.min(50 * times, 1000),
    // A script's error or a refused command is an answer; only a broken connection reconnects.
    reconnectOnError: () => false,
  });
}

/** Connects (the client was made lazy) and waits until it answers, within `timeoutMs`. */
export async function ready(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === "wait") await redis.connect().catch(() => undefined);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await redis.ping();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
