import type { Migration } from '../migrate';

// Owned by the controller service (src/sessions/controller-service.ts, store/dispense-reports-repo.ts).
// dispense_reports: the one dispense report accepted per vending session, written before its job is queued.
//   A second report for the session is compared with it: the same one is a duplicate (and is queued again,
//   free under the job's dedup key, in case the first enqueue failed); a different one is refused at once
//   with 409, on either queue adapter (an SQS FIFO queue cannot be read by dedup key, and forgets keys after
//   5 minutes). `report` is {result, amount?} as the controller sent it, in minor units.
export const dispenseReportsMigration: Migration = {
  id: 8,
  name: 'dispense-reports',
  sql: `
    CREATE TABLE IF NOT EXISTS dispense_reports (
      session_id text PRIMARY KEY,
      lane_id text NOT NULL,
      report jsonb NOT NULL,
      accepted_at timestamptz NOT NULL
    )
  `,
};
