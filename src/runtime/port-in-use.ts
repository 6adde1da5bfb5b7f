// "listen EADDRINUSE 127.0.0.1:7070" does not say which setting to change (issue 13: a sandbox already running
// on the same machine). This names the variable, the port and the fix.

export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  readonly code = 'EADDRINUSE';
  constructor(
    readonly variable: string,
    readonly host: string,
    readonly port: number,
  ) {
    super(
      `${variable}=${port}: ${host}:${port} is already in use (another checkin-gateway or sandbox running?); ` +
        `stop it, or set ${variable} to a free port (0 picks any free port)`,
    );
  }
}

/** A PortInUseError for an EADDRINUSE failure of binding `variable`'s port; any other error as it is. */
export function explainListenError(err: unknown, variable: string, host: string, port: number): unknown {
  return (err as { code?: unknown } | null)?.code === 'EADDRINUSE'
    ? new PortInUseError(variable, host, port)
    : err;
}
