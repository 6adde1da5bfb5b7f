// The DATA_DIR lock across real processes: a live owner is refused, a killed or exited one is taken over.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { FakeClock } from '../../src/clock';
import { acquireDataDirLock, DataDirLockedError, readDataDirLock } from '../../src/store/data-dir-lock';
import { useLockDir } from './use-lock-dir';

const HOLDER = join(__dirname, 'fixtures', 'hold-data-dir-lock.ts');

let dir: string;
let lockPath: string;
const { acquire, track } = useLockDir('gateway-lock-', (d, p) => {
  dir = d;
  lockPath = p;
});

interface HolderResult {
  readonly locked: boolean;
  readonly pid: number;
  readonly code?: string;
}

/** Another process trying to lock dir; resolves with its one-line report. */
function startHolder(): { child: ChildProcess; result: Promise<HolderResult> } {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, dir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  track(child);
  const result = new Promise<HolderResult>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) =>
      resolve(JSON.parse(line) as HolderResult),
    );
    child.once('exit', (code) => reject(new Error(`holder exited (${code}) before reporting`)));
  });
  return { child, result };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await exited(child);
  return child.pid!;
}

const lockJson = (info: object): string => `${JSON.stringify(info)}\n`;

describe('acquireDataDirLock', () => {
  it('writes pid, hostname and start time (and what makes the pid meaningful) to DATA_DIR/.gateway.lock and removes it on release', async () => {
    const clock = new FakeClock(Date.parse('2026-03-01T08:00:00Z'));
    const lock = await acquire({ clock });
    const info = { pid: process.pid, hostname: hostname(), startedAt: '2026-03-01T08:00:00.000Z' };
    expect(lock.info).toMatchObject(info);
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toEqual(lock.info);
    await lock.release();
    await lock.release();
    await expect(stat(lockPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a second owner with a message that names the owner and what to do', async () => {
    const first = await acquire();
    const refusal = acquireDataDirLock(dir);
    await expect(refusal).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(refusal).rejects.toMatchObject({
      code: 'DATA_DIR_LOCKED',
      holder: first.info,
      message:
        `DATA_DIR ${dir} is in use by process ${process.pid} (started ${first.info.startedAt}). ` +
        "Only one process may open it: stop that process first, or use the running gateway's admin endpoint " +
        `to read or change its state. If that process is gone and this persists, delete ${lockPath}.`,
    });
  });

  it('refuses while another process holds it, and takes it over once that process is killed', async () => {
    const holder = startHolder();
    const report = await holder.result;
    expect(report).toEqual({ locked: true, pid: holder.child.pid });
    await expect(acquireDataDirLock(dir)).rejects.toMatchObject({ holder: { pid: holder.child.pid } });
    expect(await readDataDirLock(dir)).toMatchObject({ pid: holder.child.pid });
    holder.child.kill('SIGKILL');
    await exited(holder.child);
    expect(await readDataDirLock(dir)).toBeUndefined();
    const lock = await acquire();
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
    expect(lock.info.pid).toBe(process.pid);
  });

  it('takes over a lock left by a process that has exited', async () => {
    const pid = await deadPid();
    await writeFile(lockPath, lockJson({ pid, hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    await acquire();
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('takes over a lock with its own pid that this process never took (a restarted container is pid 1 again)', async () => {
    await writeFile(
      lockPath,
      lockJson({ pid: process.pid, hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }),
    );
    const lock = await acquire();
    expect(lock.info.startedAt).not.toBe('2026-01-01T00:00:00.000Z');
  });

  it('takes over a damaged lock file once it is a few seconds old, and says so while it is fresh', async () => {
    await writeFile(lockPath, '{"pid": 12');
    await expect(acquireDataDirLock(dir)).rejects.toMatchObject({
      code: 'DATA_DIR_LOCK_UNREADABLE',
      message:
        `could not lock DATA_DIR ${dir}: ${lockPath} is unreadable or keeps changing. ` +
        'If no gateway is running on it, delete that file.',
    });
    const tenSecondsAgo = new Date(Date.now() - 10_000);
    await utimes(lockPath, tenSecondsAgo, tenSecondsAgo);
    await acquire();
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('holds a lock from another host until it has gone untouched for staleAfterMs', async () => {
    const other = { pid: 4242, hostname: 'kiosk-7', startedAt: '2026-01-01T00:00:00.000Z' };
    await writeFile(lockPath, lockJson(other));
    await expect(acquireDataDirLock(dir, { staleAfterMs: 60_000 })).rejects.toThrow(
      `DATA_DIR ${dir} is in use by process 4242 on host kiosk-7 (started 2026-01-01T00:00:00.000Z).`,
    );
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await utimes(lockPath, twoMinutesAgo, twoMinutesAgo);
    expect(await readDataDirLock(dir, { staleAfterMs: 60_000 })).toBeUndefined();
    await acquire({ staleAfterMs: 60_000 });
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('lets exactly one of several processes take over the same stale lock', async () => {
    const pid = await deadPid();
    await writeFile(lockPath, lockJson({ pid, hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    const holders = [1, 2, 3, 4].map(() => startHolder());
    const reports = await Promise.all(holders.map((h) => h.result));
    const winners = reports.filter((r) => r.locked);
    expect(winners).toHaveLength(1);
    expect(reports.filter((r) => !r.locked).map((r) => r.code)).toEqual(Array(3).fill('DATA_DIR_LOCKED'));
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({ pid: winners[0]!.pid });
    for (const h of holders) h.child.stdin!.end();
    await Promise.all(holders.map((h) => exited(h.child)));
    await expect(stat(lockPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('lock info for the CLI', () => {
  it('publishes the admin URL of the running gateway through updateLockInfo', async () => {
    const lock = await acquire();
    await lock.updateLockInfo({ adminUrl: 'http://127.0.0.1:8081/admin' });
    expect(await readDataDirLock(dir)).toEqual({ ...lock.info, adminUrl: 'http://127.0.0.1:8081/admin' });
    expect(lock.info.adminUrl).toBe('http://127.0.0.1:8081/admin');
    await lock.release();
    expect(await readDataDirLock(dir)).toBeUndefined();
  });

  it('names the admin URL in the refusal once it is known', async () => {
    const lock = await acquire();
    await lock.updateLockInfo({ adminUrl: 'http://127.0.0.1:8081/admin' });
    await expect(acquireDataDirLock(dir)).rejects.toThrow(
      "use the running gateway's admin endpoint (http://127.0.0.1:8081/admin) to read or change its state",
    );
  });

  it('does not remove a lock file that is no longer its own on release', async () => {
    const lock = await acquire();
    const other = lockJson({ pid: 4242, hostname: 'kiosk-7', startedAt: '2026-01-01T00:00:00.000Z' });
    await writeFile(lockPath, other);
    await lock.release();
    expect(await readFile(lockPath, 'utf8')).toBe(other);
  });
});
