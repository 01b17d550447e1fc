/**
 * A bound on the segment files a storage keeps open at once, so that many models fit under the
 * process's file-descriptor limit: a log that needs its file asks for a place, and the least
 * recently used idle logs close theirs (they reopen on their next append).
 */

/** A log that may hold an open file. */
export interface PoolMember {
  /** Whether it could close its file right now (no write in progress). */
  readonly idle: boolean;
  /** Closes its file (syncing first if it has unsynced data); false if it could not. */
  release(): Promise<boolean>;
}

export class HandlePool {
  /** Members holding an open file, least recently used first (a Map keeps insertion order). */
  private readonly open = new Map<PoolMember, true>();
  /** Logs waiting for a place (every open file is busy). */
  private waiters: (() => void)[] = [];

  /** @param capacity most files open at once; a log waits for a place while all are busy writing. */
  constructor(readonly capacity: number) {}

  get size(): number {
    return this.open.size;
  }

  /** Makes room for `member` to open a file (closing idle ones, or waiting for one), then counts it as open. */
  async admit(member: PoolMember): Promise<void> {
    this.open.delete(member);
    while (this.open.size >= this.capacity) {
      let evicted = false;
      for (const other of [...this.open.keys()]) {
        if (this.open.size < this.capacity) break;
        if (!other.idle || !this.open.has(other)) continue;
        this.open.delete(other);
        if (await other.release()) evicted = true;
        else this.open.set(other, true);
      }
      if (evicted || this.open.size < this.capacity) continue;
      // Every open file is busy: wait until one is idle (polling too, so no wake-up is missed).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 20);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.open.set(member, true);
  }

  /** A member finished its work (it may be closed now): wakes the logs waiting for a place. */
  idle(): void {
    if (this.waiters.length === 0) return;
    const waiting = this.waiters;
    this.waiters = [];
    for (const wake of waiting) wake();
  }

  /** `member` used its file: it becomes the most recently used. */
  touch(member: PoolMember): void {
    if (!this.open.has(member)) return;
    this.open.delete(member);
    this.open.set(member, true);
  }

  /** `member` closed its file. */
  closed(member: PoolMember): void {
    this.open.delete(member);
    this.idle();
  }
}
