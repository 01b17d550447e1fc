/** Whether a connection comes from this machine: the one thing protected mode trusts. */

/**
 * Whether `address` (a socket's `remoteAddress`) is a loopback address: 127.0.0.0/8, ::1, or
 * 127.x as an IPv4-mapped IPv6 address. A socket without an address (a Unix socket, a test's
 * in-memory request) is local too: only processes of this machine can reach it.
 */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined || address === "") return true;
  const a = address.toLowerCase();
  if (a === "::1" || a === "0:0:0:0:0:0:0:1") return true;
  const v4 = a.startsWith("::ffff:") ? a.slice(7) : a;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
