// bench/claim: what a queue claim costs on embedded PGlite with no timers waiting and with many. Every session
// leaves timer jobs behind that wait up to ~11 minutes (payment deadline), so at 15 sessions/s about 9,000
// wait at any time; a claim must cost what the due work costs, not what the waiting timers do.
//   npx tsx bench/claim.ts        (knobs: BENCH_WAITING (9000), BENCH_CLAIMS (500))
import { randomUUID } from 'node:crypto';
import { migrate } from '../src/store/migrate';
import { openPglite } from '../src/store/pglite';
import type { Database } from '../src/store/sql';
import { ackJob, claimJobs, insertJob } from '../src/queue/postgres-job-store';

const WAITING = Number(process.env.BENCH_WAITING ?? 9000);
const CLAIMS = Number(process.env.BENCH_CLAIMS ?? 500);
const GROUPS = 50;

async function enqueue(db: Database, group: string, availableAt: Date): Promise<void> {
  const dedupKey = randomUUID();
  await insertJob(db, { group, type: 'timer', dedupKey, payload: { dedupKey }, availableAt }, new Date());
}

/** µs per claim of one due job (then its ack), with `waiting` timers due in an hour. */
async function claimCost(waiting: number): Promise<number> {
  const db = await openPglite('memory://');
  try {
    await migrate(db);
    const later = new Date(Date.now() + 3_600_000);
    for (let i = 0; i < waiting; i++) await enqueue(db, `lane-${i % GROUPS}`, later);
    let total = 0;
    for (let i = 0; i < CLAIMS + 20; i++) {
      await enqueue(db, `lane-${i % GROUPS}`, new Date(Date.now() - 1000));
      const now = new Date();
      const started = process.hrtime.bigint();
      const [job] = await claimJobs(db, {
        now,
        limit: 1,
        leaseUntil: new Date(now.getTime() + 30_000),
        consumerId: 'bench',
        exclude: [],
      });
      if (i >= 20) total += Number(process.hrtime.bigint() - started) / 1000; // the first 20 warm up
      if (!job) throw new Error('nothing claimed');
      await ackJob(db, { id: job.id, consumerId: 'bench', attempt: job.attempt }, now);
    }
    return total / CLAIMS;
  } finally {
    await db.close();
  }
}

async function main(): Promise<void> {
  const empty = await claimCost(0);
  const loaded = await claimCost(WAITING);
  process.stdout.write(
    `claim: ${empty.toFixed(0)} µs with no timers waiting vs ${loaded.toFixed(0)} µs with ${WAITING} waiting ` +
      `(ratio ${(loaded / empty).toFixed(2)}; PGlite, ${GROUPS} lanes)\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
