// A fresh DATA_DIR per test for the lock tests: the locks a test took are released after it, the child
// processes it started are killed if still running, and the directory is removed.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireDataDirLock, type DataDirLock, type DataDirLockOptions } from '../../src/store/data-dir-lock';

export interface LockDir {
  /** Locks the test's DATA_DIR; the lock is released after the test. */
  acquire(options?: DataDirLockOptions): Promise<DataDirLock>;
  /** A child process to kill after the test if it is still running. */
  track(child: ChildProcess): void;
}

/** Registers the hooks; `set` receives each test's DATA_DIR (named `prefix`…) and its lock file's path. */
export function useLockDir(prefix: string, set: (dir: string, lockPath: string) => void): LockDir {
  let dir: string;
  const held: DataDirLock[] = [];
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    set(dir, join(dir, '.gateway.lock'));
  });
  afterEach(async () => {
    await Promise.all(held.splice(0).map((l) => l.release()));
    for (const child of children.splice(0))
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });
  return {
    async acquire(options = {}) {
      const lock = await acquireDataDirLock(dir, options);
      held.push(lock);
      return lock;
    },
    track(child) {
      children.push(child);
    },
  };
}
