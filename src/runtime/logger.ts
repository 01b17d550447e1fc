import { type Logger, pino } from "pino";
import type { Config } from "../config/config.js";

/** The process's logger (JSON lines on stdout). */
export function makeLogger(config: Config): Logger {
  return pino({ level: config.logLevel });
}
