// One owner per embedded data directory (architecture §4): PGlite has no cross-process locking, and a second
// process opening the same DATA_DIR silently loses writes or corrupts it. The owner holds
// `<DATA_DIR>/.gateway.lock` = {pid, hostname, startedAt, adminUrl?, pidNamespace?, bootId?, processStart?}.
//
// - The file is created complete and exclusively (written aside, then hard-linked into place: link fails if
//   the name exists), so a reader never sees half a lock.
// - A lock whose process is gone is stale and taken over (src/store/data-dir-lock-liveness.ts): same host,
//   boot and pid namespace ⇒ `kill(pid, 0)`, then /proc: a zombie or another start time is gone; our own pid
//   but not held by this process ⇒ a previous life of this pid. Where the pid means nothing here (another
//   host, another pid namespace, another boot) the owner touches the file every heartbeatMs and the lock is
//   stale once untouched for staleAfterMs; a lock untouched since this machine booted is stale at once.
// - Every heartbeat checks the file is still this process's (same inode, same content); the moment it is not,
//   or it cannot be touched three times running, onLost is called: the owner must stop writing (fail-stop).
// - Takeover happens under `<lock>.takeover` (created the same exclusive way) after re-reading the lock,
//   so two processes racing for one stale lock cannot both win.
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { type Clock, systemClock } from '../clock';
import {
  createExclusive,
  type LockFile,
  pause,
  readLockFile,
  serialize,
  unlinkIfPresent,
} from './data-dir-lock-file';
import { HeldLock, heldHere } from './data-dir-lock-held';
import { judgeHolder } from './data-dir-lock-liveness';
import { linuxProc, type ProcessIdentity, type ProcReader, selfIdentity } from './proc-identity';

export const LOCK_FILE_NAME = '.gateway.lock';

export interface DataDirLockInfo extends ProcessIdentity {
  readonly pid: number;
  readonly hostname: string;
  readonly startedAt: string;
  /** Where the running gateway's admin endpoint listens, once it does (for `queue stats`, replays). */
  readonly adminUrl?: string;
}

export interface DataDirLock {
  readonly path: string;
  readonly info: DataDirLockInfo;
  /** Rewrites the lock file atomically, e.g. with adminUrl once the server listens. */
  updateLockInfo(patch: { readonly adminUrl?: string }): Promise<void>;
  /** Removes the lock file (if it is still ours). Idempotent. */
  release(): Promise<void>;
  /** Calls listener once when the lock stops being this process's (at once if it already has). */
  onLost(listener: (reason: string) => void): void;
}

export interface DataDirLockOptions {
  /** For startedAt; default the system clock. */
  readonly clock?: Clock;
  /** How often the owner touches the lock file, in ms; default 30 s. */
  readonly heartbeatMs?: number;
  /** When a lock whose pid cannot be checked counts as abandoned, in ms since its last touch; default 120 s. */
  readonly staleAfterMs?: number;
  /** Called once when a heartbeat finds the lock is no longer this process's, or cannot touch it 3 times. */
  readonly onLost?: (reason: string) => void;
  /** Reads /proc (tests play other namespaces, boots and processes); default Linux's. */
  readonly proc?: ProcReader;
}

export class DataDirLockedError extends Error {
  readonly code = 'DATA_DIR_LOCKED';
  constructor(
    readonly dataDir: string,
    readonly holder: DataDirLockInfo,
    readonly otherNamespace = false,
  ) {
    const where =
      holder.hostname !== hostname()
        ? ` on host ${holder.hostname}`
        : otherNamespace
          ? ` in another pid namespace on this host (another container: pid ${holder.pid} means nothing ` +
            `here, so it counts as alive until its lock goes untouched for the stale period)`
          : '';
    const admin = holder.adminUrl ? ` (${holder.adminUrl})` : '';
    super(
      `DATA_DIR ${dataDir} is in use by process ${holder.pid}${where} (started ${holder.startedAt}). ` +
        `Only one process may open it: stop that process first, or use the running gateway's admin endpoint` +
        `${admin} to read or change its state. If that process is gone and this persists, delete ` +
        `${join(dataDir, LOCK_FILE_NAME)}.`,
    );
    this.name = 'DataDirLockedError';
  }
}

/** The lock file could not be judged (unreadable and fresh, or changing under us on every try). */
export class DataDirLockUnreadableError extends Error {
  readonly code = 'DATA_DIR_LOCK_UNREADABLE';
  constructor(dataDir: string, path: string) {
    super(
      `could not lock DATA_DIR ${dataDir}: ${path} is unreadable or keeps changing. ` +
        'If no gateway is running on it, delete that file.',
    );
    this.name = 'DataDirLockUnreadableError';
  }
}

const TAKEOVER_ABANDONED_MS = 10_000;
// Locks are written whole (hard link), except on filesystems without hard links where a reader may catch
// one empty for an instant: an unreadable lock is only taken as damaged once it is this old.
const UNREADABLE_STALE_MS = 5_000;

export async function acquireDataDirLock(
  dataDir: string,
  options: DataDirLockOptions = {},
): Promise<DataDirLock> {
  const path = resolve(dataDir, LOCK_FILE_NAME);
  const proc = options.proc ?? linuxProc;
  const self = await selfIdentity(proc);
  const info: DataDirLockInfo = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: (options.clock ?? systemClock).now().toISOString(),
    ...self,
  };
  for (let round = 0; round < 5; round++) {
    if (await createExclusive(path, serialize(info))) {
      heldHere.add(path);
      const { ino } = await stat(path);
      const lock = new HeldLock(path, info, ino, options.heartbeatMs ?? 30_000);
      if (options.onLost) lock.onLost(options.onLost);
      return lock;
    }
    const current = await readLockFile(path);
    if (!current) continue; // released meanwhile: try again
    const verdict = await judge(path, current, self, proc, options.staleAfterMs);
    if (!verdict.stale) {
      if (current.info) throw new DataDirLockedError(dataDir, current.info, verdict.otherNamespace);
      await pause(100); // unreadable but fresh: being written (filesystem without hard links)
      continue;
    }
    await takeOver(path, current);
  }
  throw new DataDirLockUnreadableError(dataDir, path);
}

/** The live owner of dataDir, or undefined when nobody holds it (no lock, or a stale one). */
export async function readDataDirLock(
  dataDir: string,
  options: Pick<DataDirLockOptions, 'staleAfterMs' | 'proc'> = {},
): Promise<DataDirLockInfo | undefined> {
  const path = resolve(dataDir, LOCK_FILE_NAME);
  const current = await readLockFile(path);
  if (!current) return undefined;
  const proc = options.proc ?? linuxProc;
  const verdict = await judge(path, current, await selfIdentity(proc), proc, options.staleAfterMs);
  return verdict.stale ? undefined : current.info;
}

function judge(
  path: string,
  lock: LockFile,
  self: ProcessIdentity,
  proc: ProcReader,
  staleAfterMs = 120_000,
): Promise<{ stale: boolean; otherNamespace?: boolean }> {
  if (!lock.info) return Promise.resolve({ stale: Date.now() - lock.mtimeMs > UNREADABLE_STALE_MS });
  return judgeHolder(lock.info, lock.mtimeMs, { self, proc, staleAfterMs, heldHere: heldHere.has(path) });
}

async function takeOver(path: string, stale: LockFile): Promise<void> {
  const mutex = `${path}.takeover`;
  if (!(await createExclusive(mutex, serialize({ pid: process.pid, hostname: hostname(), startedAt: '' })))) {
    const st = await stat(mutex).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > TAKEOVER_ABANDONED_MS) await unlinkIfPresent(mutex);
    else await pause(50); // another process is mid-takeover: give it a moment
    return;
  }
  try {
    const again = await readLockFile(path);
    if (again?.raw === stale.raw) await unlinkIfPresent(path);
  } finally {
    await unlinkIfPresent(mutex);
  }
}
