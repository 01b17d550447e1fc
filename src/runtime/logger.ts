/**
 * The process's logger: pino JSON lines on stdout, or readable lines (pino-pretty, in this
 * process, no worker thread) with `--log-format pretty`, or by default when stdout is a terminal.
 */
import { type Logger, pino } from "pino";
import pretty from "pino-pretty";
import type { Config } from "../config/config.js";

/** Whether lines are written for people: asked for, or (auto) stdout is a terminal. */
export function prettyLogs(
  config: Pick<Config, "logFormat">,
  isTTY = process.stdout.isTTY === true,
): boolean {
  return config.logFormat === "pretty" || (config.logFormat === "auto" && isTTY);
}

export function makeLogger(config: Pick<Config, "logLevel" | "logFormat">): Logger {
  // Brook never logs request headers; should anything (a framework, a plugin) log a request,
  // its API key does not reach the logs.
  const options = {
    level: config.logLevel,
    redact: {
      paths: [
        "req.headers.authorization",
        'req.headers["x-api-key"]',
        "headers.authorization",
        'headers["x-api-key"]',
      ],
      censor: "[redacted]",
    },
  };
  if (!prettyLogs(config)) return pino(options);
  return pino(
    options,
    pretty({
      sync: true,
      colorize: process.stdout.isTTY === true,
      translateTime: "SYS:HH:MM:ss.l",
      ignore: "pid,hostname",
    }),
  );
}
