// DATA_DIR must be a directory, or a path where one can be created. Pointing it at a file used to fail later
// with a bare "EEXIST: file already exists, mkdir" from the store (issue 13); this says which variable.
import { statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, invalid, str, type Env } from './env-parsers';

export function dataDir(env: Env): string {
  const value = str(env, 'DATA_DIR', './data');
  if (value === 'memory://') return value;
  const blocker = nonDirectoryOnPath(resolve(value));
  if (blocker === undefined) return value;
  const where = blocker === resolve(value) ? 'it is a file' : `${blocker} is a file`;
  return invalid(
    new ConfigError(
      'DATA_DIR',
      `a directory (created when missing) or memory://, but ${where}; point DATA_DIR at a directory`,
      value,
    ),
    value,
  );
}

/** The path itself or its nearest existing ancestor, when that is not a directory. */
function nonDirectoryOnPath(path: string): string | undefined {
  for (let p = path; ; p = dirname(p)) {
    let stat: Stats | undefined;
    try {
      stat = statSync(p, { throwIfNoEntry: false });
    } catch (err) {
      // Below a file (ENOTDIR): look further up. Anything else (EACCES, …) is left to the store to report.
      if ((err as NodeJS.ErrnoException).code !== 'ENOTDIR') return undefined;
    }
    if (stat) return stat.isDirectory() ? undefined : p;
    if (dirname(p) === p) return undefined;
  }
}
