/** The metrics of a `/v1` learn answer as one status line: `ROCAUC: 0.95, Accuracy: 0.9`. */
export function metricLine(body: unknown): string {
  const metrics = (body as { metrics?: Record<string, number> }).metrics ?? {};
  return Object.entries(metrics)
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ");
}
