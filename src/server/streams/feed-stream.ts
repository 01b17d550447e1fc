/**
 * An event stream over the live feed: what the client missed (from its Last-Event-ID, when
 * the feed still holds it; a `resync` event saying so when it does not), what the route sends
 * first, then every new event that passes the filter, until the client goes or the server
 * stops.
 */
import type { EventRing } from "../../runtime/events/event-ring.js";
import type { FeedEvent } from "../../runtime/events/feed-event.js";
import { feedId } from "../../runtime/events/feed-event.js";
import type { SseStream } from "./sse.js";

export interface FeedStreamOptions {
  /** Which events this stream carries. */
  filter(e: FeedEvent): boolean;
  /** The id the client saw last (Last-Event-ID header or `last_event_id` query parameter). */
  lastEventId: string | undefined;
  /** Sent after what was missed, before live events (e.g. the model's current state). */
  first?(send: (event: string, data: unknown) => void): void;
  /** Ends the stream after this event was sent (e.g. its model was deleted). */
  endsWith?(e: FeedEvent): boolean;
}

/** The id that stands for "everything the feed has told so far". */
export function currentId(ring: EventRing): string {
  return ring.lastId ?? feedId(ring.epoch, 0);
}

export function streamFeed(sse: SseStream, ring: EventRing, options: FeedStreamOptions): void {
  const { filter, lastEventId, first, endsWith } = options;
  const deliver = (events: readonly FeedEvent[]) => {
    for (const e of events) {
      if (!sse.isOpen) return;
      if (!filter(e)) continue;
      sse.send(e.type, e.id, e);
      if (endsWith?.(e)) return sse.end();
    }
  };
  if (lastEventId !== undefined && lastEventId !== "") {
    const missed = ring.since(lastEventId);
    if ("gap" in missed) {
      // The client must read the state again (e.g. the metric history): events were lost to it.
      sse.send("resync", currentId(ring), { ...missed.gap, current: currentId(ring) });
    } else {
      deliver(missed.events);
    }
  }
  if (!sse.isOpen) return;
  first?.((event, data) => sse.send(event, currentId(ring), data));
  const stop = ring.subscribe(deliver);
  sse.onClose(stop);
}
