import type { Json } from "../learn/index.js";

/** Recent event ids (for idempotent retries) and the version each one produced, bounded FIFO. */
export class RecentEventIds {
  private readonly ids = new Map<string, number>();
  constructor(private readonly capacity: number) {}

  get(eid: string): number | undefined {
    return this.ids.get(eid);
  }

  add(eid: string, version: number): void {
    this.ids.set(eid, version);
    while (this.ids.size > this.capacity) this.ids.delete(this.ids.keys().next().value as string);
  }

  exportState(): Json {
    return [...this.ids];
  }

  importState(data: Json): void {
    this.ids.clear();
    for (const [eid, v] of data as [string, number][]) this.ids.set(eid, v);
  }
}
