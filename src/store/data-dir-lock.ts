// One owner per embedded data directory (architecture §4): PGlite has no cross-process locking, and a second
// process opening the same DATA_DIR silently loses writes or corrupts it. The owner holds
// `<DATA_DIR>/.gateway.lock` = {pid, hostname, startedAt, adminUrl?}.
//
// - The file is created complete and exclusively (written aside, then hard-linked into place: link fails if
//   the name exists), so a reader never sees half a lock.
// - A lock whose process is gone is stale and taken over: same host ⇒ `kill(pid, 0)` (ESRCH = gone,
//   EPERM = alive); our own pid but not held by this process ⇒ a previous life of this pid (e.g. pid 1 in
//   a restarted container); another host ⇒ its pid cannot be checked, so the owner touches the file every
//   heartbeatMs and the lock is stale once untouched for staleAfterMs.
// - Takeover happens under `<lock>.takeover` (created the same exclusive way) after re-reading the lock,
//   so two processes racing for one stale lock cannot both win.
import { randomBytes } from 'node:crypto';
import { link, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { type Clock, systemClock } from '../clock';

export const LOCK_FILE_NAME = '.gateway.lock';

export interface DataDirLockInfo {
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
}

export interface DataDirLockOptions {
  /** For startedAt; default the system clock. */
  readonly clock?: Clock;
  /** How often the owner touches the lock file, in ms; default 30 s. */
  readonly heartbeatMs?: number;
  /** When a lock from another host counts as abandoned, in ms since its last touch; default 120 s. */
  readonly staleAfterMs?: number;
}

export class DataDirLockedError extends Error {
  readonly code = 'DATA_DIR_LOCKED';
  constructor(
    readonly dataDir: string,
    readonly holder: DataDirLockInfo,
  ) {
    const where = holder.hostname === hostname() ? '' : ` on host ${holder.hostname}`;
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

const heldHere = new Set<string>();
const TAKEOVER_ABANDONED_MS = 10_000;
// Locks are written whole (hard link), except on filesystems without hard links where a reader may catch
// one empty for an instant: an unreadable lock is only taken as damaged once it is this old.
const UNREADABLE_STALE_MS = 5_000;

interface LockFile {
  readonly raw: string;
  /** undefined: unreadable (damaged, or caught mid-write). */
  readonly info: DataDirLockInfo | undefined;
  readonly mtimeMs: number;
}

export async function acquireDataDirLock(
  dataDir: string,
  options: DataDirLockOptions = {},
): Promise<DataDirLock> {
  const path = resolve(dataDir, LOCK_FILE_NAME);
  const info: DataDirLockInfo = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: (options.clock ?? systemClock).now().toISOString(),
  };
  for (let round = 0; round < 5; round++) {
    if (await createExclusive(path, serialize(info))) {
      heldHere.add(path);
      return new HeldLock(path, info, options.heartbeatMs ?? 30_000);
    }
    const current = await readLockFile(path);
    if (!current) continue; // released meanwhile: try again
    if (!isStale(path, current, options.staleAfterMs ?? 120_000)) {
      if (current.info) throw new DataDirLockedError(dataDir, current.info);
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
  options: Pick<DataDirLockOptions, 'staleAfterMs'> = {},
): Promise<DataDirLockInfo | undefined> {
  const path = resolve(dataDir, LOCK_FILE_NAME);
  const current = await readLockFile(path);
  if (!current || isStale(path, current, options.staleAfterMs ?? 120_000)) return undefined;
  return current.info;
}

class HeldLock implements DataDirLock {
  private raw: string;
  private released = false;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    readonly path: string,
    public info: DataDirLockInfo,
    heartbeatMs: number,
  ) {
    this.raw = serialize(info);
    const now = (): Date => new Date();
    this.heartbeat = setInterval(() => void utimes(path, now(), now()).catch(() => undefined), heartbeatMs);
    this.heartbeat.unref();
  }

  async updateLockInfo(patch: { readonly adminUrl?: string }): Promise<void> {
    if (this.released) throw new Error('data directory lock already released');
    const info = { ...this.info, ...patch };
    const raw = serialize(info);
    const tmp = tmpName(this.path);
    await writeFile(tmp, raw, { flag: 'wx' });
    await rename(tmp, this.path);
    this.info = info;
    this.raw = raw;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.heartbeat);
    heldHere.delete(this.path);
    const current = await readLockFile(this.path);
    if (current?.raw === this.raw) await unlinkIfPresent(this.path);
  }
}

function isStale(path: string, lock: LockFile, staleAfterMs: number): boolean {
  const holder = lock.info;
  if (!holder) return Date.now() - lock.mtimeMs > UNREADABLE_STALE_MS;
  if (holder.hostname !== hostname()) return Date.now() - lock.mtimeMs > staleAfterMs;
  if (holder.pid === process.pid) return !heldHere.has(path);
  return !isProcessAlive(holder.pid);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: existence and permission check only
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: alive, owned by someone else
  }
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

/** Creates path with content, all or nothing; false if path exists. */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const tmp = tmpName(path);
  await writeFile(tmp, content, { flag: 'wx' });
  try {
    await link(tmp, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
    // A filesystem without hard links: exclusive create, then write (a reader may briefly see it empty).
    return writeFile(path, content, { flag: 'wx' }).then(
      () => true,
      (e: NodeJS.ErrnoException) => (e.code === 'EEXIST' ? false : Promise.reject(e)),
    );
  } finally {
    await unlinkIfPresent(tmp);
  }
}

async function readLockFile(path: string): Promise<LockFile | undefined> {
  try {
    const [raw, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { raw, info: parseInfo(raw), mtimeMs: st.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function parseInfo(raw: string): DataDirLockInfo | undefined {
  try {
    const v = JSON.parse(raw) as Partial<DataDirLockInfo> | null;
    if (!v || !Number.isInteger(v.pid) || typeof v.hostname !== 'string' || typeof v.startedAt !== 'string')
      return undefined;
    return {
      pid: v.pid as number,
      hostname: v.hostname,
      startedAt: v.startedAt,
      ...(typeof v.adminUrl === 'string' ? { adminUrl: v.adminUrl } : {}),
    };
  } catch {
    return undefined;
  }
}

function serialize(info: DataDirLockInfo): string {
  return `${JSON.stringify(info)}\n`;
}

function tmpName(path: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function unlinkIfPresent(path: string): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}
