/** A bounded load run with autocannon (loopback only; stops after `seconds`). */
import autocannon from "autocannon";

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

export interface LoadSpec {
  url: string;
  method: "POST" | "PUT";
  bodies: string[];
  connections: number;
  seconds: number;
}

export async function load(spec: LoadSpec): Promise<LoadResult> {
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds,
    requests: spec.bodies.map((body) => ({
      method: spec.method,
      headers: { "content-type": "application/json" },
      body,
    })),
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
