// Fail-stop (issue 13): the gateway logs one clear line and exits non-zero the moment its DATA_DIR lock is
// no longer its own; the exit is injected so the test observes it instead of ending jest.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireDataDirLock } from '../../src/store/data-dir-lock';
import { failStopOnLostLock, LOST_LOCK_EXIT_CODE } from '../../src/store/fail-stop-on-lost-lock';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gateway-failstop-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('logs why and exits non-zero once another process has taken the lock', async () => {
  const lock = await acquireDataDirLock(dir, { heartbeatMs: 20 });
  const error = jest.fn();
  const exited = new Promise<number>((resolve) => failStopOnLostLock(lock, { error }, resolve));
  const other = { pid: 4242, hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z' };
  await writeFile(lock.path, `${JSON.stringify(other)}\n`);
  expect(await exited).toBe(LOST_LOCK_EXIT_CODE);
  expect(LOST_LOCK_EXIT_CODE).not.toBe(0);
  expect(error).toHaveBeenCalledWith(
    'DATA_DIR lock lost: stopping now so two processes never write one data directory',
    { lockFile: lock.path, reason: `${lock.path} was replaced: now held by process 4242 on ${hostname()}` },
  );
  await lock.release();
});

it('does not stop a gateway whose lock was released in an orderly shutdown', async () => {
  const lock = await acquireDataDirLock(dir, { heartbeatMs: 20 });
  const exit = jest.fn();
  failStopOnLostLock(lock, { error: jest.fn() }, exit);
  await lock.release();
  // The released lock's file is gone, which a live heartbeat would report as lost.
  await acquireDataDirLock(dir).then((l) => l.release());
  expect(exit).not.toHaveBeenCalled();
});
