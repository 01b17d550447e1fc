/** Waiting on another process: always a condition with a deadline, never a fixed sleep or a first try. */

/**
 * Calls `attempt` until it returns without throwing (or returns a value other than `false`),
 * every `intervalMs`, for at most `timeoutMs`; then rethrows the last failure.
 */
export async function eventually<T>(
  attempt: () => Promise<T> | T,
  { timeoutMs = 15_000, intervalMs = 50, what = "the condition" } = {},
): Promise<Exclude<T, false>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await attempt();
      if (value !== false) return value as Exclude<T, false>;
      last = new Error(`${what} is still false`);
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} did not hold within ${timeoutMs} ms: ${(last as Error)?.message ?? last}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
