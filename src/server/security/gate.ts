/**
 * Who may call a route: the check the pipeline makes before a body is read. With API keys
 * configured, every non-public route needs a key (`Authorization: Bearer <key>` or
 * `X-API-Key`) with the route's scope, and, for a key limited to some models, one of them.
 * Without keys (protected mode, after Redis'): clients on loopback may do anything, others
 * only predict, unless `--insecure`. Learn requests are rate limited per key (`--learn-rate`).
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Config } from "../../config/config.js";
import { BrookError, brookError } from "../../errors.js";
import type { Caller, Scope } from "../routes/route.js";
import { KeySource } from "./key-source.js";
import type { KeyRecord } from "./keys.js";
import { isLoopback } from "./loopback.js";
import { TokenBuckets } from "./rate-limit.js";

/** Why a request was refused, as the refusal metric counts it. */
export type RefusalReason =
  | "missing_key"
  | "invalid_key"
  | "scope"
  | "model"
  | "protected_mode"
  | "rate_limit";

/** Where refusals are counted (the Prometheus counter; a port of the gate). */
export interface Refusals {
  refused(reason: RefusalReason): void;
}

/** Who a request is, once admitted (the route's {@link Caller}). */
export type Principal = Caller;

/** Everything allowed (public routes, clients trusted without keys). */
export const ANYONE: Principal = Object.freeze({ id: "anonymous", models: undefined });
const LOCAL: Principal = Object.freeze({ id: "local", models: undefined });

/** The key a request presents: a Bearer token, else the X-API-Key header. */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === "string") {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(auth);
    if (m) return m[1];
  }
  const header = headers["x-api-key"];
  if (typeof header === "string" && header.trim() !== "") return header.trim();
  return undefined;
}

export class Gate {
  private readonly principals = new WeakMap<KeyRecord, Principal>();
  private readonly buckets: TokenBuckets | undefined;

  constructor(
    readonly keys: KeySource,
    private readonly config: Pick<Config, "insecure" | "learnRate" | "learnBurst">,
    private readonly refusals: Refusals | undefined = undefined,
  ) {
    this.buckets = config.learnRate > 0 ? new TokenBuckets(config.learnRate, config.learnBurst) : undefined;
  }

  /** A gate without keys (protected mode), for a pipeline built without one. */
  static protectedMode(config: Pick<Config, "insecure" | "learnRate" | "learnBurst">): Gate {
    return new Gate(KeySource.none(), config);
  }

  /**
   * The principal of a request to a route of `scope` that touches `model` (if any), from
   * `remote` (the socket's address: never X-Forwarded-For), or the refusal to answer.
   */
  admit(
    scope: Scope,
    headers: IncomingHttpHeaders,
    remote: string | undefined,
    model: string | undefined,
  ): Principal | BrookError {
    if (scope === "public") return ANYONE;
    const principal = this.keys.configured
      ? this.byKey(scope, headers, model)
      : this.withoutKeys(scope, remote);
    if (principal instanceof BrookError || scope !== "learn" || this.buckets === undefined) return principal;
    const wait = this.buckets.take(principal === LOCAL ? `addr:${remote ?? ""}` : principal.id);
    if (wait === 0) return principal;
    return this.refuse(
      "rate_limit",
      brookError(
        "RATE_LIMITED",
        `too many learn requests: the limit is ${this.config.learnRate} a second (--learn-rate) per key; retry in ${wait} s`,
        { retry_after: wait },
      ),
    );
  }

  /** Protected mode: loopback (or `--insecure`) may do anything, others only predict. */
  private withoutKeys(scope: Scope, remote: string | undefined): Principal | BrookError {
    if (this.config.insecure || isLoopback(remote)) return LOCAL;
    if (scope === "predict") return ANYONE;
    return this.refuse(
      "protected_mode",
      brookError(
        "FORBIDDEN",
        `this server has no API keys, so only clients on its own machine may ${scope === "learn" ? "learn" : "administer models"} (protected mode). Create a key ("brook keys create --scopes learn,predict") and send it as "Authorization: Bearer <key>", or, on a trusted network only, start the server with --insecure`,
        { scope },
      ),
    );
  }

  private byKey(
    scope: Scope,
    headers: IncomingHttpHeaders,
    model: string | undefined,
  ): Principal | BrookError {
    const given = presentedKey(headers);
    if (given === undefined) {
      return this.refuse(
        "missing_key",
        brookError(
          "UNAUTHORIZED",
          `this route needs an API key with the scope "${scope}": send it as "Authorization: Bearer <key>" or "X-API-Key: <key>"`,
          { scope },
        ),
      );
    }
    const record = this.keys.current.find(given);
    if (record === undefined) {
      return this.refuse(
        "invalid_key",
        brookError("UNAUTHORIZED", "the API key is not valid (unknown, revoked or mistyped)", { scope }),
      );
    }
    if (!record.scopes.includes(scope as KeyRecord["scopes"][number])) {
      return this.refuse(
        "scope",
        brookError(
          "FORBIDDEN",
          `the API key ${record.id} does not have the scope "${scope}" (it has: ${record.scopes.join(", ")})`,
          { scope, key: record.id },
        ),
      );
    }
    if (model !== undefined && record.models !== undefined && !record.models.includes(model)) {
      return this.refuse(
        "model",
        brookError(
          "FORBIDDEN",
          `the API key ${record.id} may only use the models ${record.models.join(", ")}`,
          { scope, key: record.id },
        ),
      );
    }
    let principal = this.principals.get(record);
    if (principal === undefined) {
      principal = { id: record.id, models: record.models ? new Set(record.models) : undefined };
      this.principals.set(record, principal);
    }
    return principal;
  }

  private refuse(reason: RefusalReason, err: BrookError): BrookError {
    this.refusals?.refused(reason);
    return err;
  }

  close(): void {
    this.keys.close();
  }
}
