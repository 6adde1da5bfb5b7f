// After a crash of the embedded gateway (kill -9, power cut), jobs, lane messages and settlements it had leased
// would wait out their leases (WORKER_LEASE_S, 15 s by default) before anyone retried them: a customer at the
// machine would wait that long. The data-directory lock guarantees this process is the only owner, so every lease
// found at start belongs to a dead process and can be ended at once. Never call this on a shared server.
import type { Sql } from './sql';

export interface ReleasedLeases {
  readonly jobs: number;
  readonly laneMessages: number;
  readonly settlements: number;
}

export async function releaseStaleLeases(sql: Sql, now: Date): Promise<ReleasedLeases> {
  return sql.transaction(async (tx) => {
    // An expired lease is claimable again with its attempt counted, exactly as after a lease timeout.
    const jobs = await tx.query(
      "UPDATE jobs SET lease_until = $1 WHERE state = 'leased' AND lease_until > $1",
      [now],
    );
    const outbox = await tx.query(
      'UPDATE outbox SET lease_until = NULL WHERE delivered_at IS NULL AND lease_until IS NOT NULL',
    );
    const settlements = await tx.query(
      'UPDATE settlements SET lease_until = NULL WHERE lease_until IS NOT NULL',
    );
    return {
      jobs: jobs.affectedRows,
      laneMessages: outbox.affectedRows,
      settlements: settlements.affectedRows,
    };
  });
}
