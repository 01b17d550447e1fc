/** The media type of Prometheus's text exposition format (version 0.0.4). */
import { Registry } from "prom-client";

export const EXPOSITION_TYPE: string = Registry.PROMETHEUS_CONTENT_TYPE;
