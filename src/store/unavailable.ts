// Tells a store that cannot be reached (connection refused or lost, server shutting down, PGlite's thread
// gone) from every other failure, so an API can answer "retry later" (503) for the first and keep 500 for
// bugs. Decided on codes and the driver's fixed messages, never on values: nothing here reads a query.

/** Node system errors for a peer that is not there or went away. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** SQLSTATEs of a server that is shutting down, starting, or out of connections (class 08: connection). */
const UNAVAILABLE_SQLSTATES: ReadonlySet<string> = new Set(['57P01', '57P02', '57P03', '53300']);

/** node-postgres's and the PGlite thread's own messages for a connection that is gone. */
const GONE = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /is not queryable/,
  /^the PGlite thread exited/,
];

export function isStoreUnavailable(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 4) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))
      return true;
  }
  if (GONE.some((re) => re.test(err.message))) return true;
  // Connecting to every address of a host fails as an AggregateError; drivers wrap the system error in `cause`.
  const inner = [...(err instanceof AggregateError ? err.errors : []), err.cause];
  return inner.some((e) => isStoreUnavailable(e, depth + 1));
}
