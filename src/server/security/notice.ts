/** The start-up line that says who may do what: keys, protected mode, or (loudly) --insecure. */
import type { Config } from "../../config/config.js";
import { KeySource } from "./key-source.js";

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * Reads the keys as a server would (a bad keys file throws, so a cluster's primary refuses
 * to start before forking) and logs what they mean, once per server.
 */
export function logSecurity(log: Log, config: Config): void {
  const keys = KeySource.fromConfig(config);
  const file = keys.path ?? "none";
  const count = keys.current.size;
  if (keys.configured) {
    log.info(
      { keys: count, keysFile: file },
      `API keys: ${count} (keys file ${file}${config.apiKeys ? " and BROOK_API_KEYS" : ""}); every route but health, docs, metrics and the dashboard needs one${config.insecure ? " (--insecure has no effect with keys)" : ""}`,
    );
    return;
  }
  if (config.insecure) {
    log.warn(
      { insecure: true },
      `INSECURE: no API keys and --insecure: ANY client that can reach ${config.host}:${config.port} may learn, create, delete, roll back, import and export models. Use it on a trusted network only; see SECURITY.md`,
    );
    return;
  }
  log.info(
    { protectedMode: true, keysFile: file },
    `Protected mode: no API keys, so only clients on this machine (loopback) may learn and administer; others may only predict. Create keys with "brook keys create --scopes learn,predict" (see SECURITY.md)`,
  );
}
