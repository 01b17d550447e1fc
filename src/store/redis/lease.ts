/**
 * A model's lease: at most one node holds it at a time (`SET NX PX` with a random token), for
 * a TTL that its holder renews (a token-checked script). Each acquisition draws the next
 * fencing token; the holder stamps it on everything it writes, and the scripts refuse a write
 * with an older one. The holder's own view of holding ends before Redis' key can expire: from
 * the moment a renewal was *sent*, minus a margin, so a paused or cut-off holder stops acting
 * on its lease before another node can take it.
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { Fencing } from "./checkpoints.js";
import type { ModelKeys } from "./keys.js";
import { LEASE_ACQUIRE, LEASE_RELEASE, LEASE_RENEW } from "./scripts.js";

/** Who holds a lease, as Redis says. */
export interface LeaseHolder {
  /** The holder's node id. */
  node: string;
  fence: number;
  /** Milliseconds before the lease expires unless renewed. */
  expiresInMs: number;
}

export class Lease {
  private held: (Fencing & { validUntil: number }) | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Pick<ModelKeys, "lease" | "fence">,
    /** The node's id, part of the token (shown as the holder). */
    private readonly node: string,
    readonly ttlMs: number,
  ) {}

  /** Part of the TTL the holder does not count on (clock drift, a slow answer). */
  private get margin(): number {
    return Math.max(50, Math.floor(this.ttlMs / 10));
  }

  /** The lease as held now, or undefined (never held, lost, or too close to its expiry to act on). */
  current(): Fencing | undefined {
    const h = this.held;
    if (!h) return undefined;
    if (performance.now() >= h.validUntil) {
      this.held = undefined;
      return undefined;
    }
    return { value: h.value, fence: h.fence };
  }

  /**
   * Tries to take the lease: 0 when this node holds it now, else how long (ms) until the
   * holder's lease expires unless renewed.
   */
  async acquire(): Promise<number> {
    if (this.current()) return 0;
    const sent = performance.now();
    const token = `${this.node}~${randomBytes(6).toString("hex")}`;
    const [fence, value, pttl] = (await LEASE_ACQUIRE.run(
      this.redis,
      [this.keys.lease, this.keys.fence],
      [token, this.ttlMs],
    )) as [number, string, number?];
    if (Number(fence) <= 0) return Math.max(1, Number(pttl ?? this.ttlMs));
    this.held = { value, fence: Number(fence), validUntil: sent + this.ttlMs - this.margin };
    return 0;
  }

  /** Renews the lease; false (and not held any more) when it was lost. */
  async renew(): Promise<boolean> {
    const h = this.held;
    if (!h) return false;
    const sent = performance.now();
    const ok = Number(await LEASE_RENEW.run(this.redis, [this.keys.lease], [h.value, this.ttlMs])) === 1;
    if (!ok) {
      if (this.held === h) this.held = undefined;
      return false;
    }
    if (this.held === h) h.validUntil = sent + this.ttlMs - this.margin;
    return true;
  }

  /** Gives the lease up (another node may take it at once). */
  async release(): Promise<void> {
    const h = this.held;
    this.held = undefined;
    if (h) await LEASE_RELEASE.run(this.redis, [this.keys.lease], [h.value]);
  }

  /** Forgets the lease without telling Redis (its TTL ends it). */
  drop(): void {
    this.held = undefined;
  }
}

/** Who holds a model's lease, per Redis (undefined: nobody). */
export async function leaseHolder(
  redis: Redis,
  keys: Pick<ModelKeys, "lease">,
): Promise<LeaseHolder | undefined> {
  const [value, pttl] = await Promise.all([redis.get(keys.lease), redis.pttl(keys.lease)]);
  if (value === null) return undefined;
  const bar = value.lastIndexOf("|");
  const token = value.slice(0, bar);
  return {
    node: token.slice(0, token.lastIndexOf("~")),
    fence: Number(value.slice(bar + 1)),
    expiresInMs: Math.max(0, pttl),
  };
}
