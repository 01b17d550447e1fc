/**
 * Brook's client SDK: `import { BrookClient } from "brook/client"`. Fetch-based, no
 * dependencies; typed like the server's schemas.
 */
export { type Answer, BrookClient, type BrookClientOptions, type RequestOptions } from "./client.js";
export { BrookApiError, BrookConnectionError, type ConnectionFailure } from "./errors.js";
export {
  type BrookEvent,
  type SseMessage,
  SseParser,
  type SubscribeOptions,
  type Subscription,
} from "./sse.js";
export type * from "./types.js";
