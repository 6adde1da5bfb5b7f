// Errors of the lanes area. Each carries a stable `code`; messages name the file and say what to fix.
// Lanes files hold no secrets (a webhook secret is named by its env var), so messages may quote values;
// the few places that could hold a pasted secret (secretEnv, URL credentials) are never quoted.

export type LanesFileErrorCode =
  | 'LANES_FILE_UNREADABLE'
  | 'LANES_FILE_UNPARSABLE'
  | 'LANES_FILE_INVALID'
  /** Valid file, but a lane's controller channel cannot work here (unset secretEnv, unknown queue, …). */
  | 'LANES_CHANNELS_UNUSABLE'
  | 'LANES_CREDENTIALS_MISSING'
  /** Lanes offering redirect-qr, and no PUBLIC_BASE_URL for their stickers to open (outside the sandbox). */
  | 'LANES_PUBLIC_BASE_URL_MISSING';

/** How each failure reads after "lanes file X …". */
export const LANES_FILE_FAILURE: Readonly<Record<LanesFileErrorCode, string>> = {
  LANES_FILE_UNREADABLE: 'cannot be read',
  LANES_FILE_UNPARSABLE: 'cannot be parsed',
  LANES_FILE_INVALID: 'is invalid',
  LANES_CHANNELS_UNUSABLE: 'has lanes whose controller channel cannot work',
  LANES_CREDENTIALS_MISSING: 'has lanes without Vipps credentials',
  LANES_PUBLIC_BASE_URL_MISSING: 'has redirect-qr lanes but no PUBLIC_BASE_URL',
};

/** The lanes file could not be read, parsed or validated; `errors` lists every problem, one per line. */
export class LanesFileError extends Error {
  constructor(
    readonly code: LanesFileErrorCode,
    readonly path: string,
    readonly errors: readonly string[],
  ) {
    super(lanesFileMessage(code, path, errors));
    this.name = 'LanesFileError';
  }
}

/** How many problems a boot error shows, one per line; `lanes check` prints them all. */
export const SHOWN_ERRORS = 20;

// Boot used to show 3 of 12 problems then `…` (issue 13): an operator fixed a file in several runs. Now the
// message lists up to SHOWN_ERRORS and names the exact command that prints the rest.
function lanesFileMessage(code: LanesFileErrorCode, path: string, errors: readonly string[]): string {
  const lines = [`lanes file ${path} ${LANES_FILE_FAILURE[code]} (${countErrors(errors.length)}):`];
  for (const e of errors.slice(0, SHOWN_ERRORS)) lines.push(`  - ${e}`);
  if (errors.length > SHOWN_ERRORS)
    lines.push(
      `  … and ${errors.length - SHOWN_ERRORS} more: run \`${lanesCheckCommand(path)}\` to see them all`,
    );
  return lines.join('\n');
}

/** The command line that validates `path` and prints every problem (quoted for a POSIX shell when needed). */
export function lanesCheckCommand(path: string): string {
  const arg = /^[\w./@:+,=-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
  return `checkin-gateway lanes check ${arg}`;
}

/** A programming error: createLaneRegistry was given lanes that did not pass validateLanes. */
export class LaneRegistryConflictError extends Error {
  readonly code = 'LANE_REGISTRY_CONFLICT';
  constructor(detail: string) {
    super(`lanes conflict (${detail}): build registries only from validateLanes output`);
    this.name = 'LaneRegistryConflictError';
  }
}

/** LanesHolder.current() was called before a lanes file was loaded successfully. */
export class LanesNotLoadedError extends Error {
  readonly code = 'LANES_NOT_LOADED';
  constructor(path: string) {
    super(`no lanes loaded yet from ${path}: call load() at boot and stop if it throws`);
    this.name = 'LanesNotLoadedError';
  }
}

export function countErrors(n: number): string {
  return `${n} ${n === 1 ? 'error' : 'errors'}`;
}
