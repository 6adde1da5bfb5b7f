// Settlement leases (issue 13): a runner keeps the rows of its pass leased while it works them (the heartbeat),
// another runner takes a row over about one lease after its holder stopped renewing, and a runner that lost a
// row's lease leaves the row to whoever holds it now. Lease expiry runs on an injected clock; the heartbeat's
// own timer runs in real time, so each test chooses whether it fires.
import { FakeClock } from '../../src/clock';
import { silentLogger } from '../../src/log';
import { createSettlementRunner, type SettlementRunner } from '../../src/settlement/runner';
import type { SettlementEpaymentPort } from '../../src/settlement/execute';
import { seedSettlementStatement } from '../../src/store/settlements-repo';
import type { Database } from '../../src/store/sql';
import { deferred, type Deferred } from '../queue/queue-test-helpers';
import { faultToError } from './fake-vipps-ledger';
import { useTestDatabase } from '../support/use-test-database';
import { waitFor } from '../support/wait-for';

const REFERENCE = 'cgvend1-abababababababababababab';

let db: Database;
const clock = new FakeClock();
const runners: SettlementRunner[] = [];
const gates: Deferred<void>[] = [];

useTestDatabase((opened) => (db = opened));
beforeEach(async () => {
  const seed = {
    sessionId: `s_${'ab'.repeat(16)}`,
    laneId: 'vend-1',
    msn: '123456',
    reference: REFERENCE,
    kind: 'vending' as const,
    currency: 'NOK' as const,
    paymentCreatedAt: clock.now().toISOString(),
    soldValue: 2500,
    authorizedValue: 10000,
    capturedValue: 0,
    cancelledValue: 0,
    owed: true,
  };
  await db.batch([seedSettlementStatement(seed, clock.now())]);
});
afterEach(async () => {
  for (const gate of gates.splice(0)) gate.resolve(); // a failed test must not leave a pass hanging
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

/** Vipps answering every read with an error (the runner records it and tries later), after `gate` if given. */
function epayment(gate?: Deferred<void>): SettlementEpaymentPort & { reads: Deferred<void> } {
  const reads = deferred();
  if (gate) gates.push(gate);
  const fail = async (): Promise<never> => {
    reads.resolve();
    if (gate) await gate.promise;
    throw faultToError('epayment.get', { type: 'status', status: 503 });
  };
  return { reads, get: fail, capture: fail, cancel: fail, refund: fail };
}

function runner(
  port: SettlementEpaymentPort,
  lease: { leaseMs: number; heartbeatMs: number },
  store: Database = db,
): SettlementRunner {
  const r = createSettlementRunner({ db: store, epayment: port, clock, logger: silentLogger(), ...lease });
  runners.push(r);
  return r;
}

async function row(): Promise<{ leaseUntil: number | null; version: number }> {
  const { rows } = await db.query<{ lease_until: Date | null; version: number }>(
    'SELECT lease_until, version FROM settlements WHERE reference = $1',
    [REFERENCE],
  );
  return { leaseUntil: rows[0]?.lease_until?.getTime() ?? null, version: Number(rows[0]?.version) };
}

it('renews the lease of a settlement whose pass outlasts the lease, so a second runner leaves it alone', async () => {
  const gate = deferred();
  const slow = epayment(gate);
  const pass = runner(slow, { leaseMs: 1_000, heartbeatMs: 10 }).runOnce();
  await slow.reads.promise;

  clock.advance(5_000);
  await waitFor(async () => ((await row()).leaseUntil ?? 0) > clock.now().getTime(), {
    what: 'the heartbeat to renew the lease past now',
  });
  expect(await runner(epayment(), { leaseMs: 1_000, heartbeatMs: 10 }).runOnce()).toMatchObject({
    worked: 0,
  });

  gate.resolve();
  expect(await pass).toMatchObject({ worked: 1 });
  expect(await row()).toEqual({ leaseUntil: null, version: 2 });
});

it('is taken over one lease after its runner stopped renewing', async () => {
  const gate = deferred();
  const dead = epayment(gate);
  // The holder's heartbeat never fires within the test: like a process that died mid-pass.
  const pass = runner(dead, { leaseMs: 60_000, heartbeatMs: 59_000 }).runOnce();
  await dead.reads.promise;
  const heir = runner(epayment(), { leaseMs: 60_000, heartbeatMs: 10 });

  clock.advance(59_999);
  expect(await heir.runOnce()).toMatchObject({ worked: 0 });
  clock.advance(2); // a settlement lease is free once it has ended (lease_until < now)
  expect(await heir.runOnce()).toMatchObject({ worked: 1 });
  expect((await row()).version).toBe(2);

  // The old holder's save is refused by the version the heir moved on; the heir's result stands.
  gate.resolve();
  await pass;
  expect((await row()).version).toBe(2);
});

it('saves nothing once a renewal of its lease failed, so the row is worked again after the lease', async () => {
  const gate = deferred();
  const slow = epayment(gate);
  let renewals = 0;
  // Renewals fail as if the database connection dropped; everything else goes through.
  const flaky: Database = {
    ...db,
    query: (async (text: string, params?: readonly unknown[]) => {
      if (text.includes('SET lease_until = $3 WHERE reference = $1 AND lease_until = $2')) {
        renewals += 1;
        throw new Error('connection lost');
      }
      return db.query(text, params);
    }) as Database['query'],
  };
  const pass = runner(slow, { leaseMs: 1_000, heartbeatMs: 10 }, flaky).runOnce();
  await slow.reads.promise;
  const leased = await row();
  await waitFor(() => renewals >= 1, { what: 'a failed renewal' });
  gate.resolve();
  expect(await pass).toMatchObject({ worked: 1 });
  // Not saved, not released: the row waits out its lease and is then due again.
  expect(await row()).toEqual(leased);
  clock.advance(1_001);
  expect(await runner(epayment(), { leaseMs: 1_000, heartbeatMs: 10 }).runOnce()).toMatchObject({
    worked: 1,
  });
  expect((await row()).version).toBe(2);
});
