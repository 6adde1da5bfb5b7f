// Fail-stop (issue 13): once the DATA_DIR lock is no longer this process's, another process may own the data
// directory, and every further write of ours could corrupt it. So the gateway logs why and exits at once,
// without closing PGlite (closing writes too); a supervisor restarts it, and the restart meets the lock.
import type { DataDirLock } from './data-dir-lock';

/** The exit code of a gateway stopped because its DATA_DIR lock was lost. */
export const LOST_LOCK_EXIT_CODE = 75; // EX_TEMPFAIL: a restart may well succeed

export function failStopOnLostLock(
  lock: DataDirLock,
  logger: { error(message: string, meta: Record<string, unknown>): unknown },
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  lock.onLost((reason) => {
    logger.error('DATA_DIR lock lost: stopping now so two processes never write one data directory', {
      lockFile: lock.path,
      reason,
    });
    exit(LOST_LOCK_EXIT_CODE);
  });
}
