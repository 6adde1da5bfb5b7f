// The dead-letter service over a real PGlite, the real postgres queue and the real webhook intake (the router
// tests' harness): drops are made by signed deliveries, replays go through intake again. The lanes file is a
// variable the test swaps, as an operator edits the lanes file and the gateway reloads it.
import type { AuditContext } from '../../src/admin/audit';
import { createDeadLetterService, type DeadLetterService } from '../../src/admin/dead-letters';
import { createOutboxService, type OutboxService } from '../../src/admin/outbox';
import type { IndexedLaneRegistry } from '../../src/lanes/lane';
import { createLaneRegistry } from '../../src/lanes/registry';
import { silentLogger } from '../../src/log';
import { PostgresQueue } from '../../src/queue/postgres-queue';
import type { Database } from '../../src/store/sql';
import { buildHarness, type Harness, KNOWN_REFERENCE } from '../intake/router-harness';
import { lane, testLanes } from '../intake/lanes-fixture';

/** The lanes file after the operator added the QR `new-qr` as lane `lane-new`. */
export const fixedLanes = createLaneRegistry([
  ...testLanes.all(),
  lane({ id: 'lane-new', msn: '123456', merchantQrId: 'new-qr' }),
]);

export interface DeadLetterRig {
  readonly h: Harness;
  readonly queue: PostgresQueue;
  readonly service: DeadLetterService;
  readonly outbox: OutboxService;
  /** How often the service woke the outbox dispatcher. */
  readonly wakes: () => number;
  setLanes(lanes: IndexedLaneRegistry): void;
  /** Every row of intake_dead_letters as Postgres prints it (to look for a token anywhere). */
  rawLetters(): Promise<string[]>;
  /** customer_token of every intake dead letter, in id order. */
  tokens(): Promise<(string | null)[]>;
  jobs(): Promise<
    { id: string; grp: string; type: string; state: string; payload: Record<string, unknown> }[]
  >;
  audits(): Promise<{ operator: string; action: string; target: string; outcome: string }[]>;
}

export function deadLetterRig(db: Database): DeadLetterRig {
  let lanes: IndexedLaneRegistry = testLanes;
  let wakes = 0;
  let h: Harness | undefined = undefined;
  const clock = { now: () => (h ? h.clock.now() : new Date()) };
  const queue = new PostgresQueue({
    sql: db,
    clock,
    logger: silentLogger(),
    maxAttempts: 1,
    backoff: { baseMs: 0, maxMs: 0 },
  });
  h = buildHarness(db, { queue, lanes: () => lanes });
  const audit: AuditContext = { db, clock, logger: silentLogger() };
  const common = { db, clock, lanes: () => lanes, audit, wakeOutbox: () => void (wakes += 1) };
  const service = createDeadLetterService({
    ...common,
    queue,
    checkinMaxAgeS: 120,
    resolveReference: async (ref) => (ref === KNOWN_REFERENCE ? 'lane-1' : lanes.laneIdForReference(ref)),
  });
  return {
    h,
    queue,
    service,
    outbox: createOutboxService(common),
    wakes: () => wakes,
    setLanes: (l) => {
      lanes = l;
    },
    rawLetters: async () =>
      (await db.query<{ row: string }>('SELECT d::text AS row FROM intake_dead_letters d')).rows.map(
        (r) => r.row,
      ),
    tokens: async () =>
      (
        await db.query<{ customer_token: string | null }>(
          'SELECT customer_token FROM intake_dead_letters ORDER BY id',
        )
      ).rows.map((r) => r.customer_token),
    jobs: async () =>
      (
        await db.query<{
          id: string;
          grp: string;
          type: string;
          state: string;
          payload: Record<string, unknown>;
        }>('SELECT id::text AS id, grp, type, state, payload FROM jobs ORDER BY id')
      ).rows,
    audits: async () =>
      (
        await db.query<{ operator: string; action: string; target: string; outcome: string }>(
          'SELECT operator, action, target, outcome FROM admin_audit ORDER BY id',
        )
      ).rows,
  };
}
