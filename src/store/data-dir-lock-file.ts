// The DATA_DIR lock's file (src/store/data-dir-lock.ts): created whole and exclusively, read, parsed.
import { randomBytes } from 'node:crypto';
import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import type { DataDirLockInfo } from './data-dir-lock';

export interface LockFile {
  readonly raw: string;
  /** undefined: unreadable (damaged, or caught mid-write). */
  readonly info: DataDirLockInfo | undefined;
  readonly mtimeMs: number;
}

/** Creates path with content, all or nothing; false if path exists. */
export async function createExclusive(path: string, content: string): Promise<boolean> {
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

export async function readLockFile(path: string): Promise<LockFile | undefined> {
  try {
    const [raw, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { raw, info: parseInfo(raw), mtimeMs: st.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function parseInfo(raw: string): DataDirLockInfo | undefined {
  try {
    const v = JSON.parse(raw) as Partial<DataDirLockInfo> | null;
    if (!v || !Number.isInteger(v.pid) || typeof v.hostname !== 'string' || typeof v.startedAt !== 'string')
      return undefined;
    const text = (k: keyof DataDirLockInfo) => (typeof v[k] === 'string' ? { [k]: v[k] } : {});
    return {
      pid: v.pid as number,
      hostname: v.hostname,
      startedAt: v.startedAt,
      ...text('adminUrl'),
      ...text('pidNamespace'),
      ...text('bootId'),
      ...text('processStart'),
    };
  } catch {
    return undefined;
  }
}

export function serialize(info: DataDirLockInfo): string {
  return `${JSON.stringify(info)}\n`;
}

export function tmpName(path: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function unlinkIfPresent(path: string): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}
