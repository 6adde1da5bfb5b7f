// Group commit for enqueue: requests that arrive while a write is in flight are written together in one
// multi-row statement (one round trip, one commit) instead of one each. A lone request waits one event-loop
// turn; under load batching multiplies intake throughput on the single-connection PGlite.
import type { Sql } from '../store/sql';
import type { EnqueueResult } from './queue';
import { insertJob, type NewJob } from './postgres-job-store';

const MAX_BATCH = 500;

// The key and the job appear together or not at all (as in insertJob); keys seen before return the
// existing job's id as a duplicate.
const ENQUEUE_MANY_SQL = `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::json[], $5::timestamptz[])
      AS t(dedup_key, grp, type, payload, available_at)
  ), new_key AS (
    INSERT INTO job_keys (dedup_key, job_id, created_at)
    SELECT dedup_key, nextval('jobs_id_seq'::regclass), $6::timestamptz FROM input
    ON CONFLICT (dedup_key) DO NOTHING
    RETURNING dedup_key, job_id
  ), new_job AS (
    INSERT INTO jobs (id, grp, type, dedup_key, payload, state, attempt, available_at, enqueued_at, updated_at)
    SELECT k.job_id, i.grp, i.type, k.dedup_key, i.payload, 'ready', 0, i.available_at, $6, $6
    FROM new_key k JOIN input i USING (dedup_key)
    RETURNING id, dedup_key
  )
  SELECT i.dedup_key, (nj.id IS NULL) AS duplicate,
    -- A lookup per duplicate only: joining job_keys lets a cached plan scan the whole table every time.
    coalesce(nj.id, (SELECT jk.job_id FROM job_keys jk WHERE jk.dedup_key = i.dedup_key))::text AS id
  FROM input i
  LEFT JOIN new_job nj USING (dedup_key)`;

interface Pending {
  readonly job: NewJob;
  readonly resolve: (r: EnqueueResult) => void;
  readonly reject: (e: unknown) => void;
}

export class EnqueueBatcher {
  private pending: Pending[] = [];
  private flushing = false;
  private scheduled = false;

  constructor(
    private readonly sql: Sql,
    private readonly now: () => Date,
    /** Called with whether any job written is new and ready now (delayed ones need no consumer yet). */
    private readonly onWritten: (anyReadyNow: boolean) => void,
  ) {}

  enqueue(job: NewJob): Promise<EnqueueResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ job, resolve, reject });
      if (!this.flushing && !this.scheduled) {
        // PGlite runs a statement synchronously inside the call, so flushing right away would write every
        // request alone. Waiting one event-loop turn lets the requests parsed in this turn share the write.
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          void this.flush();
        });
      }
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH);
        try {
          const results = await this.write(batch.map((p) => p.job));
          // Wake consumers before answering callers, so a claim is already on its way when they continue.
          const now = this.now().getTime();
          this.onWritten(results.some((r, i) => !r.duplicate && batch[i]!.job.availableAt.getTime() <= now));
          batch.forEach((p, i) => p.resolve(results[i]!));
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async write(jobs: readonly NewJob[]): Promise<EnqueueResult[]> {
    const now = this.now();
    if (jobs.length === 1) return [await insertJob(this.sql, jobs[0]!, now)];
    // The same key twice in one batch: write it once; the later copies are duplicates of the first.
    const unique = new Map<string, NewJob>();
    for (const j of jobs) if (!unique.has(j.dedupKey)) unique.set(j.dedupKey, j);
    const list = [...unique.values()];
    const { rows } = await this.sql.query<{ dedup_key: string; id: string | null; duplicate: boolean }>(
      ENQUEUE_MANY_SQL,
      [
        list.map((j) => j.dedupKey),
        list.map((j) => j.group),
        list.map((j) => j.type),
        list.map((j) => JSON.stringify(j.payload ?? null)),
        list.map((j) => j.availableAt),
        now,
      ],
    );
    const byKey = new Map<string, EnqueueResult>();
    for (const r of rows) {
      // On a server a concurrent enqueue of the same key may commit after this statement's snapshot:
      // ON CONFLICT saw it, the join did not. The single-row path re-reads it.
      byKey.set(
        r.dedup_key,
        r.id === null
          ? await insertJob(this.sql, unique.get(r.dedup_key)!, now)
          : { id: r.id, duplicate: r.duplicate },
      );
    }
    const seen = new Set<string>();
    return jobs.map((j) => {
      const result = byKey.get(j.dedupKey);
      if (!result) throw new Error('batched enqueue returned no row for a job');
      const first = !seen.has(j.dedupKey);
      seen.add(j.dedupKey);
      return first ? { id: result.id, duplicate: result.duplicate } : { id: result.id, duplicate: true };
    });
  }
}
