// Issue 13, "Two owners of one DATA_DIR": the lock trusts kill(pid, 0) only where the pid means the same
// process (pid namespace, boot, start time), a zombie counts as gone, and a lock taken from its holder is
// noticed by the holder's next heartbeat.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { acquireDataDirLock } from '../../src/store/data-dir-lock';
import { linuxProc, type ProcReader } from '../../src/store/proc-identity';
import { useLockDir } from './use-lock-dir';

const HOLDER = join(__dirname, 'fixtures', 'hold-data-dir-lock.ts');
const ZOMBIE = join(__dirname, 'fixtures', 'make-zombie.sh');

let dir: string;
let lockPath: string;
const { acquire, track } = useLockDir('gateway-lock-live-', (d, p) => {
  dir = d;
  lockPath = p;
});

/** The first line a child prints. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before printing`)));
  });
}

function start(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  track(child);
  return child;
}

/** A live process other than this one: its pid, start time and a way to end it. */
async function liveProcess(): Promise<{ pid: number; startTime: string }> {
  const child = start('sleep', ['60']);
  const pid = child.pid!;
  const stat = await waitFor(() => linuxProc.processStat(pid));
  return { pid, startTime: stat.startTime };
}

/** Polls a condition (a process changing state has no event to wait on) until it yields a value. */
async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const identity = async () => {
  const [pidNamespace, bootId] = await Promise.all([linuxProc.pidNamespace(), linuxProc.bootId()]);
  return { pidNamespace: pidNamespace!, bootId: bootId! };
};
const writeLock = (info: object) => writeFile(lockPath, `${JSON.stringify(info)}\n`);
const holderInfo = (pid: number, extra: object) => ({
  pid,
  hostname: hostname(),
  startedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});
const procWith = (patch: Partial<ProcReader>): ProcReader => ({ ...linuxProc, ...patch });
const onLinux = process.platform === 'linux' ? describe : describe.skip;

onLinux('lock liveness: what makes a pid meaningful', () => {
  it('records the pid namespace, boot id and process start time in the lock file', async () => {
    const lock = await acquire();
    const self = await linuxProc.processStat(process.pid);
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toEqual({
      ...lock.info,
      ...(await identity()),
      processStart: self!.startTime,
    });
  });

  it('takes over a lock whose holder is a zombie (exited, not yet reaped, still answering kill 0)', async () => {
    const parent = start(ZOMBIE, []);
    const pid = Number(await firstLine(parent));
    const zombie = await waitFor(async () => {
      const s = await linuxProc.processStat(pid);
      return s?.state === 'Z' ? s : undefined;
    });
    expect(() => process.kill(pid, 0)).not.toThrow(); // the old check thought it alive
    await writeLock(holderInfo(pid, { ...(await identity()), processStart: zombie.startTime }));
    await acquire();
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('refuses a live holder whose start time matches, and takes over one whose pid now names another process', async () => {
    const live = await liveProcess();
    await writeLock(holderInfo(live.pid, { ...(await identity()), processStart: live.startTime }));
    await expect(acquireDataDirLock(dir)).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED' });
    await writeLock(holderInfo(live.pid, { ...(await identity()), processStart: '1' }));
    await acquire();
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('takes over a lock from a previous boot of this machine, last touched before it booted', async () => {
    const live = await liveProcess(); // a live pid here, so only the boot id can make it stale
    const ids = await identity();
    await writeLock(
      holderInfo(live.pid, { ...ids, bootId: 'a-previous-boot', processStart: live.startTime }),
    );
    const bootedAt = Date.now() - 60_000;
    const beforeBoot = new Date(bootedAt - 1_000);
    await utimes(lockPath, beforeBoot, beforeBoot);
    await acquire({ proc: procWith({ bootTimeMs: async () => bootedAt }) });
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('refuses a lock from another boot id touched since this boot (another machine with this hostname)', async () => {
    const ids = await identity();
    await writeLock(holderInfo(4242, { ...ids, bootId: 'another-machine', processStart: '5' }));
    const proc = procWith({ bootTimeMs: async () => Date.now() - 60_000 });
    await expect(acquireDataDirLock(dir, { proc, staleAfterMs: 60_000 })).rejects.toMatchObject({
      code: 'DATA_DIR_LOCKED',
    });
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await utimes(lockPath, twoMinutesAgo, twoMinutesAgo);
    await acquire({ proc: procWith({ bootTimeMs: async () => Date.now() - 600_000 }), staleAfterMs: 60_000 });
  });

  it('refuses a holder in another pid namespace even when its pid is not alive here, saying why', async () => {
    const ids = await identity();
    const dead = 2 ** 22 - 1; // above pid_max's default: no such process here
    await writeLock(holderInfo(dead, { ...ids, pidNamespace: 'pid:[1]', processStart: '5' }));
    await expect(acquireDataDirLock(dir)).rejects.toThrow(
      `is in use by process ${dead} in another pid namespace on this host (another container: pid ${dead} means nothing here`,
    );
  });
});

const unshareWorks =
  process.platform === 'linux' &&
  spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore' }).status === 0;
if (!unshareWorks)
  console.warn(
    'skipping the pid-namespace lock test: `unshare --pid --fork --mount-proc` does not work here',
  );
const withUnshare = unshareWorks ? it : it.skip;

describe('lock across real pid namespaces', () => {
  withUnshare(
    'refuses a process in a new pid namespace, to whom the holder pid does not exist (it used to take over)',
    async () => {
      await acquire();
      const child = start('unshare', [
        '--pid',
        '--fork',
        '--mount-proc',
        process.execPath,
        '--import',
        'tsx',
        HOLDER,
        dir,
      ]);
      const report = JSON.parse(await firstLine(child)) as { locked: boolean; pid: number; message?: string };
      expect(report).toMatchObject({ locked: false, pid: 1 });
      expect(report.message).toContain('in another pid namespace on this host');
      expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
    },
  );
});

describe('heartbeat: the lock is still its own', () => {
  const lostWhen = async (steal: () => Promise<void>): Promise<string> => {
    let lost: (reason: string) => void = () => undefined;
    const reason = new Promise<string>((r) => (lost = r));
    await acquire({ heartbeatMs: 20, onLost: lost });
    await steal();
    return reason;
  };

  it('calls onLost when another process has replaced the lock file', async () => {
    const reason = await lostWhen(() => writeLock(holderInfo(4242, {})));
    expect(reason).toBe(`${lockPath} was replaced: now held by process 4242 on ${hostname()}`);
  });

  it('calls onLost when the lock file was removed', async () => {
    expect(await lostWhen(() => rm(lockPath))).toBe(`${lockPath} was removed`);
  });

  it('calls onLost when the file has the same content but is another file (another inode)', async () => {
    const reason = await lostWhen(async () => {
      await writeFile(`${lockPath}.copy`, await readFile(lockPath));
      await rename(`${lockPath}.copy`, lockPath);
    });
    expect(reason).toMatch(/was replaced/);
  });

  it('keeps a lock that is still its own, across updateLockInfo, and keeps touching it', async () => {
    const onLost = jest.fn();
    const lock = await acquire({ heartbeatMs: 10, onLost });
    for (let i = 0; i < 5; i++) await lock.updateLockInfo({ adminUrl: `http://127.0.0.1:${9000 + i}/admin` });
    const longAgo = new Date(Date.now() - 3_600_000);
    await utimes(lockPath, longAgo, longAgo);
    await waitFor(async () => {
      const { mtimeMs } = await stat(lockPath);
      return mtimeMs > longAgo.getTime() + 60_000 ? true : undefined;
    });
    expect(onLost).not.toHaveBeenCalled();
  });
});
