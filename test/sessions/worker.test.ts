// The worker end to end on real parts: PostgresQueue on PGlite, the Vipps client over HTTP to the emulator,
// the controller service for dispense reports and sales, and a recording lane channel behind the outbox.
import { createLaneRegistry } from '../../src/lanes/registry';
import type { Queue } from '../../src/queue/queue';
import { sessionIdFor, timerJobId } from '../../src/sessions/ids';
import type { Session } from '../../src/sessions/types';
import { sessionHistory } from '../../src/store/history-repo';
import { loadSale } from '../../src/store/sales-repo';
import { waitFor } from '../support/wait-for';
import { useWorkerHarness } from './use-worker-harness';
import { MSN, outboxIds, shopFixed, shopSale, vending, type Harness } from './worker-harness';

let h: Harness;
useWorkerHarness((harness) => (h = harness));

async function tokenColumn(sessionId: string): Promise<string | null | undefined> {
  const { rows } = await h.db.query<{ customer_token: string | null }>(
    'SELECT customer_token FROM sessions WHERE id = $1',
    [sessionId],
  );
  return rows[0]?.customer_token;
}

describe('vending', () => {
  it('partial dispense: one create, capture 2500, cancel the rest, completed', async () => {
    h.bridgeWebhooks();
    h.startWorker();
    const scan = await h.scan(vending);
    const authorized = await h.waitForMessage(scan.sessionId, 'session.authorized');
    expect(authorized.data).toEqual({
      maxAmount: { currency: 'NOK', value: 10000 },
      dispenseBy: new Date(Date.parse(authorized.at) + 60_000).toISOString(),
    });
    expect(await tokenColumn(scan.sessionId)).toBeNull();

    expect(await h.service.reportDispense(scan.sessionId, { result: 'dispensed', amount: 2500 })).toEqual({
      status: 'accepted',
    });
    const completed = await h.waitForMessage(scan.sessionId, 'session.completed');
    expect(completed.data).toEqual({
      capturedAmount: { currency: 'NOK', value: 2500 },
      cancelledAmount: { currency: 'NOK', value: 7500 },
      settlement: 'settled',
    });

    const payments = await h.payments();
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({
      reference: scan.reference,
      amount: { currency: 'NOK', value: 10000 },
      createCalls: 1,
      aggregate: { capturedAmount: { value: 2500 }, cancelledAmount: { value: 7500 } },
    });
    expect(payments[0]?.events.filter((e) => e === 'CAPTURED')).toHaveLength(1);

    expect(h.channels.types(scan.sessionId)).toEqual([
      'session.checked-in',
      'session.payment-requested',
      'session.authorized',
      'session.completed',
    ]);
    expect(h.channels.of(scan.sessionId).map((m) => m.id)).toEqual(
      ['checked-in', 'payment-requested', 'authorized', 'completed'].map((s) => `${scan.sessionId}.${s}`),
    );
    const session = await h.waitForState(scan.sessionId, 'completed');
    expect(session).toMatchObject({
      capturedValue: 2500,
      cancelledValue: 7500,
      dispensedValue: 2500,
      timers: {},
    });

    const history = await sessionHistory(h.db, scan.sessionId);
    expect(history[0]).toMatchObject({ inputType: 'checkin', fromState: null, toState: 'payment-requested' });
    expect(history.at(-1)).toMatchObject({ toState: 'completed' });
    expect(JSON.stringify(history)).not.toContain(scan.customerToken);

    const status = await h.service.laneStatus(vending.id);
    expect(status).toMatchObject({
      currentSession: null,
      openSale: null,
      recentOutcomes: [{ sessionId: scan.sessionId, outcome: 'completed', amount: 2500 }],
    });
    expect(status.lastSeenAt).not.toBeNull();
    expect((await h.queue.stats()).dead).toBe(0);
  });

  it('a duplicate check-in job makes no second payment and no second message', async () => {
    h.startWorker();
    const scan = await h.scan(vending);
    // The same check-in again under another queue key (e.g. a delivery that escaped intake's dedup).
    await h.enqueueCheckin(vending, scan, ':again');
    await h.waitForMessage(scan.sessionId, 'session.authorized');
    await h.enqueueCheckin(vending, scan, ':later');
    await waitFor(async () => (await h.queue.stats()).ready === 0 && (await h.queue.stats()).inFlight === 0, {
      what: 'the queue to drain',
    });
    const payments = await h.payments();
    expect(payments).toHaveLength(1);
    expect(payments[0]?.events.filter((e) => e === 'CREATED')).toHaveLength(1);
    expect(h.channels.types(scan.sessionId).filter((t) => t === 'session.payment-requested')).toHaveLength(1);
    const history = await sessionHistory(h.db, scan.sessionId);
    expect(
      history.filter((r) => r.outcome === 'duplicate:checkin-redelivered').length,
    ).toBeGreaterThanOrEqual(1);
  });

  it('drops a second check-in while the lane is busy, and tells the controller', async () => {
    h.startWorker();
    const first = await h.scan(vending, { action: 'ignore' });
    await waitFor(async () => (await h.session(first.sessionId))?.paymentCreated, { what: 'first payment' });
    const second = await h.scan(vending);
    const dropped = await h.waitForMessage(second.sessionId, 'session.dropped');
    expect(dropped.data).toEqual({ reason: 'busy' });
    expect(await h.session(second.sessionId)).toMatchObject({
      state: 'dropped',
      reason: 'busy',
      customerToken: null,
    });
    expect(await tokenColumn(second.sessionId)).toBeNull();
    expect(await h.payments({ reference: second.reference })).toEqual([]);
    expect((await h.service.laneStatus(vending.id)).currentSession).toMatchObject({
      sessionId: first.sessionId,
      state: 'payment-requested',
    });
  });

  it('an invalid customer token (4050) fails the session at once, without a retry', async () => {
    h.startWorker();
    const forged = {
      customerToken: 'bm90LWEtcmVhbC10b2tlbi1mcm9tLXZpcHBz',
      initiatedAt: new Date().toISOString(),
    };
    await h.enqueueCheckin(vending, forged);
    const id = sessionIdFor({ msn: MSN, merchantQrId: vending.merchantQrId, ...forged });
    const failed = await h.waitForMessage(id, 'session.failed');
    expect(failed.data).toEqual({ reason: 'invalid-customer-token', orderId: null });
    expect(await h.session(id)).toMatchObject({ state: 'failed', pending: null, timers: {} });
    expect(await tokenColumn(id)).toBeNull();
    expect(await h.payments()).toEqual([]);
    const history = await sessionHistory(h.db, id);
    expect(history.map((r) => r.effects.filter((e) => e === 'create-payment').length)).toEqual([1, 0]);
  });

  it('retries a create that met a 503, with the same key, and still makes one payment', async () => {
    await fetch(`${h.emulator.url}/emulator/v1/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api: 'epayment', errorRate: 1, statuses: [503], times: 1 }),
    });
    h.startWorker();
    const scan = await h.scan(vending);
    await h.waitForMessage(scan.sessionId, 'session.authorized');
    const payments = await h.payments();
    expect(payments).toHaveLength(1);
    const creates = (await sessionHistory(h.db, scan.sessionId)).filter((r) =>
      r.effects.includes('create-payment'),
    );
    expect(creates).toHaveLength(2);
    // The emulator's 503 says Retry-After: 1, and the retry waited that long (not just the 50 ms backoff).
    const [first, second] = creates.map((r) => r.at.getTime());
    expect((second as number) - (first as number)).toBeGreaterThanOrEqual(1000);
  });

  it('a session whose lane left the lanes file still finishes its payment', async () => {
    h.startWorker();
    const scan = await h.scan(vending);
    await h.waitForMessage(scan.sessionId, 'session.authorized');
    h.registry = createLaneRegistry([shopFixed, shopSale]);
    await h.service.reportDispense(scan.sessionId, { result: 'failed' });
    const session = await h.waitForState(scan.sessionId, 'cancelled');
    expect(session.reason).toBe('dispense-failed');
    expect((await h.payments())[0]).toMatchObject({ aggregate: { cancelledAmount: { value: 10000 } } });
    // Its message could not reach a controller any more: set aside, not blocking anything.
    await waitFor(async () => {
      const { rows } = await h.db.query<{ failed: boolean }>(
        'SELECT failed_at IS NOT NULL AS failed FROM outbox WHERE id = $1',
        [`${scan.sessionId}.cancelled`],
      );
      return rows[0]?.failed;
    });
  });

  it('skips a check-in for a lane that is no longer configured', async () => {
    h.registry = createLaneRegistry([shopFixed, shopSale]);
    h.startWorker();
    await h.scan(vending);
    await waitFor(async () => (await h.queue.stats()).ready + (await h.queue.stats()).inFlight === 0, {
      what: 'the job to be handled',
    });
    const { rows } = await h.db.query('SELECT id FROM sessions');
    expect(rows).toEqual([]);
    expect((await h.queue.stats()).dead).toBe(0);
  });
});

describe('self-checkout', () => {
  it('fixed amount: captured in full as soon as authorized, then paid', async () => {
    h.startWorker();
    const scan = await h.scan(shopFixed);
    const paid = await h.waitForMessage(scan.sessionId, 'session.paid');
    expect(paid.data).toEqual({
      amount: { currency: 'NOK', value: 4900 },
      orderId: null,
      settlement: 'settled',
    });
    expect(h.channels.types(scan.sessionId)).toEqual([
      'session.checked-in',
      'session.payment-requested',
      'session.paid',
    ]);
    expect((await h.payments())[0]).toMatchObject({ aggregate: { capturedAmount: { value: 4900 } } });
    expect(await h.waitForState(scan.sessionId, 'completed')).toMatchObject({ capturedValue: 4900 });
  });

  it('a sale opened through the controller API is paid by the next scan', async () => {
    h.startWorker();
    const opened = await h.service.openSale(shopSale.id, {
      orderId: 'order-77',
      amount: 3200,
      currency: 'NOK',
      description: 'Groceries',
    });
    expect(opened).toMatchObject({ status: 'opened', sale: { orderId: 'order-77', amount: 3200 } });
    await waitFor(async () => (await loadSale(h.db, shopSale.id))?.applied, {
      what: 'the sale to be applied',
    });
    const scan = await h.scan(shopSale);
    const paid = await h.waitForMessage(scan.sessionId, 'session.paid');
    expect(paid.data).toEqual({
      amount: { currency: 'NOK', value: 3200 },
      orderId: 'order-77',
      settlement: 'settled',
    });
    expect((await h.payments())[0]).toMatchObject({ amount: { value: 3200 } });
    await waitFor(async () => (await loadSale(h.db, shopSale.id)) === null, { what: 'the paid sale to go' });
  });

  it('a check-in before the sale waits for it, then pays it', async () => {
    h.startWorker();
    const scan = await h.scan(shopSale);
    await h.waitForState(scan.sessionId, 'awaiting-sale');
    expect(await tokenColumn(scan.sessionId)).toBe(scan.customerToken);
    await h.service.openSale(shopSale.id, {
      orderId: 'o-1',
      amount: 1500,
      currency: 'NOK',
      description: 'Milk',
    });
    await h.waitForMessage(scan.sessionId, 'session.paid');
    expect(await tokenColumn(scan.sessionId)).toBeNull();
    expect(await outboxIds(h.db, shopSale.id)).toEqual(
      ['checked-in', 'payment-requested', 'paid'].map((s) => ({
        id: `${scan.sessionId}.${s}`,
        delivered: true,
      })),
    );
  });
});

describe('logs', () => {
  it('5080 (push not allowed) fails the session with the operator hint, and no log line holds the token', async () => {
    h.interceptVipps = (method, url) =>
      method === 'POST' && url.endsWith('/epayment/v1/payments')
        ? new Response(
            JSON.stringify({
              type: 'https://developer.vippsmobilepay.com/docs/APIs/epayment-api/errors',
              title: 'PUSH_MESSAGE not allowed',
              status: 403,
              traceId: 't-1',
              extraDetails: [{ name: 'ErrorCode', reason: '5080' }],
            }),
            { status: 403, headers: { 'content-type': 'application/problem+json' } },
          )
        : undefined;
    h.startWorker();
    const scan = await h.scan(vending);
    const failed = await h.waitForMessage(scan.sessionId, 'session.failed');
    expect(failed.data).toEqual({ reason: 'push-not-allowed', orderId: null });
    const logged = h.logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.find((l) => l.event === 'push-not-allowed')).toMatchObject({
      level: 'warn',
      message: 'session push-not-allowed',
      sessionId: scan.sessionId,
      msn: MSN,
      hint: 'Ask Vipps MobilePay to allow push payments (skip landing page) for this sales unit',
    });
    expect(h.logLines.join('\n')).not.toContain(scan.customerToken);
    expect(await tokenColumn(scan.sessionId)).toBeNull();
  });
});

describe('timer jobs', () => {
  // With the postgres queue on the store's own database (Queue.jobsIn), a step's timer jobs commit in its own
  // transaction and the instants it gives up are withdrawn, so the jobs table holds exactly the timers
  // sessions hold. With a queue elsewhere (only the port: enqueue, consume, stats, as SQS offers), armed
  // timers are queued after the commit and superseded ones stay, to fire as stale.

  // Long enough that no timer fires during a test: what the table holds is what the steps wrote.
  const SLOW_TIMERS = { firstPollS: 60, pollEveryS: 60, dispenseTimeoutS: 60 };

  /** The timer jobs queued for a session, and every timer dedup key it still has, as sorted keys. */
  async function timerRows(sessionId: string): Promise<{ jobs: string[]; keys: string[] }> {
    const like = `${sessionId}.timer.%`;
    const jobs = await h.db.query<{ k: string }>(
      "SELECT dedup_key AS k FROM jobs WHERE dedup_key LIKE $1 AND state = 'ready' ORDER BY 1",
      [like],
    );
    const keys = await h.db.query<{ k: string }>(
      'SELECT dedup_key AS k FROM job_keys WHERE dedup_key LIKE $1 ORDER BY 1',
      [like],
    );
    return { jobs: jobs.rows.map((r) => r.k), keys: keys.rows.map((r) => r.k) };
  }

  const heldKeys = (s: Session): string[] =>
    Object.entries(s.timers)
      .map(([name, at]) => timerJobId(s.id, name, at))
      .sort();

  async function authorizedSession(): Promise<Session> {
    h.bridgeWebhooks();
    const scan = await h.scan(vending);
    await h.waitForMessage(scan.sessionId, 'session.authorized');
    return h.waitForState(scan.sessionId, 'authorized');
  }

  it('with the queue in the store: the jobs table holds exactly the timers the session holds', async () => {
    h.startWorker({ timing: SLOW_TIMERS });
    const session = await authorizedSession();
    // Creating the payment armed a poll and the payment deadline; authorization gave both up for the
    // dispense timeout. The keys of the withdrawn jobs went with them.
    expect(Object.keys(session.timers)).toEqual(['dispense-timeout']);
    const held = heldKeys(session);
    await waitFor(
      async () => JSON.stringify(await timerRows(session.id)) === JSON.stringify({ jobs: held, keys: held }),
      {
        what: 'only the held timer queued',
      },
    );

    await h.service.reportDispense(session.id, { result: 'dispensed', amount: 2500 });
    await h.waitForState(session.id, 'completed');
    expect(await timerRows(session.id)).toEqual({ jobs: [], keys: [] });
  });

  it('with a queue elsewhere: armed timers are queued after the commit, superseded ones stay', async () => {
    const portOnly: Queue = {
      enqueue: (input) => h.queue.enqueue(input),
      consume: (handler, options) => h.queue.consume(handler, options),
      stats: () => h.queue.stats(),
    };
    h.startWorker({ timing: SLOW_TIMERS, queue: portOnly });
    const session = await authorizedSession();
    const held = heldKeys(session);
    const nameOf = (key: string) => key.split('.timer.')[1]?.split('.')[0];
    const { jobs } = await waitFor(
      async () => {
        const rows = await timerRows(session.id);
        return held.every((k) => rows.jobs.includes(k)) ? rows : null;
      },
      { what: 'the held timer queued' },
    );
    // The poll and payment deadline that authorization gave up are still queued (they will fire as stale).
    expect(jobs.map(nameOf)).toEqual(
      expect.arrayContaining(['poll', 'payment-deadline', 'dispense-timeout']),
    );
    expect(jobs.length).toBeGreaterThan(held.length);
  });
});
