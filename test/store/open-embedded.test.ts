// The embedded store on a real data directory: locked to one owner, migrated, and durable across a close
// and reopen and across a SIGKILL of the owning process.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { FakeClock } from '../../src/clock';
import { silentLogger } from '../../src/log';
import { claimJobs } from '../../src/queue/postgres-job-store';
import { PostgresQueue } from '../../src/queue/postgres-queue';
import { DataDirLockedError } from '../../src/store/data-dir-lock';
import { openEmbeddedStore } from '../../src/store/open-embedded';
import type { Database } from '../../src/store/sql';

let dir: string;
const clock = new FakeClock();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gateway-data-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function queueOn(db: Database): PostgresQueue {
  return new PostgresQueue({
    sql: db,
    clock,
    logger: silentLogger(),
    maxAttempts: 3,
    backoff: { baseMs: 1, maxMs: 1 },
  });
}

async function dedupKeys(db: Database): Promise<string[]> {
  const { rows } = await db.query<{ dedup_key: string }>('SELECT dedup_key FROM jobs ORDER BY id');
  return rows.map((r) => r.dedup_key);
}

describe('openEmbeddedStore', () => {
  it('keeps enqueued jobs across close and reopen, and refuses a second owner meanwhile', async () => {
    const store = await openEmbeddedStore(dir);
    const queue = queueOn(store.db);
    await queue.enqueue({ group: 'lane-1', type: 't', dedupKey: 'ready-job', payload: { amount: 100 } });
    await queue.enqueue({ group: 'lane-2', type: 't', dedupKey: 'timer-job', payload: {}, delayMs: 60_000 });
    await expect(openEmbeddedStore(dir)).rejects.toBeInstanceOf(DataDirLockedError);
    await store.close();
    await expect(stat(join(dir, '.gateway.lock'))).rejects.toMatchObject({ code: 'ENOENT' });

    const reopened = await openEmbeddedStore(dir);
    try {
      expect(await queueOn(reopened.db).stats()).toEqual({ ready: 1, inFlight: 0, delayed: 1, dead: 0 });
      const now = clock.now();
      const [job] = await claimJobs(reopened.db, {
        now,
        limit: 5,
        leaseUntil: now,
        consumerId: 'c',
        exclude: [],
      });
      expect(job).toMatchObject({ dedupKey: 'ready-job', payload: { amount: 100 } });
    } finally {
      await reopened.close();
    }
  });

  it('keeps a job whose enqueue resolved when the owning process is killed with SIGKILL', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'fixtures', 'enqueue-then-hang.ts'), dir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`child exited (${code}) before enqueueing`)));
    });
    expect(JSON.parse(line)).toMatchObject({ duplicate: false });
    child.kill('SIGKILL');
    await exited;

    const store = await openEmbeddedStore(dir); // takes over the dead owner's lock
    try {
      expect(await dedupKeys(store.db)).toEqual(expect.arrayContaining(['before-kill']));
      expect(store.lock.info.pid).toBe(process.pid);
    } finally {
      await store.close();
    }
  });
});
