// Errors of the lanes area. Each carries a stable `code`; messages name the file and say what to fix.
// Lanes files hold no secrets (a webhook secret is named by its env var), so messages may quote values;
// the few places that could hold a pasted secret (secretEnv, URL credentials) are never quoted.

export type LanesFileErrorCode = 'LANES_FILE_UNREADABLE' | 'LANES_FILE_UNPARSABLE' | 'LANES_FILE_INVALID';

/** How each failure reads after "lanes file X …". */
export const LANES_FILE_FAILURE: Readonly<Record<LanesFileErrorCode, string>> = {
  LANES_FILE_UNREADABLE: 'cannot be read',
  LANES_FILE_UNPARSABLE: 'cannot be parsed',
  LANES_FILE_INVALID: 'is invalid',
};

/** The lanes file could not be read, parsed or validated; `errors` lists every problem, one per line. */
export class LanesFileError extends Error {
  constructor(
    readonly code: LanesFileErrorCode,
    readonly path: string,
    readonly errors: readonly string[],
  ) {
    const summary = errors.slice(0, 3).join('; ') + (errors.length > 3 ? '; …' : '');
    super(`lanes file ${path} ${LANES_FILE_FAILURE[code]} (${countErrors(errors.length)}): ${summary}`);
    this.name = 'LanesFileError';
  }
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
