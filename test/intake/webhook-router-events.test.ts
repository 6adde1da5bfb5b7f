import type { Database, Sql } from '../../src/store/sql';
import { checkinPayload } from '../support/signed-request';
import {
  buildHarness,
  counter,
  deadLetters,
  type Harness,
  harnessPerTest,
  KNOWN_REFERENCE,
  NOW,
  type Via,
} from './router-harness';

let db: Database;
let h: Harness;

const TOKEN = checkinPayload().customerToken;
const payment = (overrides: Record<string, unknown> = {}) => ({
  msn: '123456',
  reference: KNOWN_REFERENCE,
  pspReference: 'psp-1',
  name: 'AUTHORIZED',
  amount: { currency: 'NOK', value: 4900 },
  timestamp: '2026-01-01T11:59:59.000Z',
  idempotencyKey: 'idem-1',
  success: true,
  ...overrides,
});

// Every event case both ways: through the fast path (what production serves), and through the Express route alone
// (what serves the requests the fast path leaves to Express).
describe.each<Via>(['fast path', 'express route'])('via the %s', (via) => {
  harnessPerTest((d, x) => {
    db = d;
    h = x;
  }, via);

  describe('webhook route: usable events', () => {
    it('queues a check-in in its lane group and answers 202 only after the job exists', async () => {
      const res = await h.send(h.sign(checkinPayload()));
      expect([res.status, res.body]).toEqual([202, { status: 'accepted' }]);
      const jobs = await h.queue.jobs();
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({ group: 'lane-1', type: 'checkin' });
      expect(jobs[0]?.payload).toMatchObject({
        type: 'checkin',
        laneId: 'lane-1',
        customerToken: TOKEN,
        receivedAt: new Date(NOW).toISOString(),
      });
      expect(await counter(h.metrics.webhookRequests, { outcome: 'accepted' })).toBe(1);
    });

    it('answers a redelivery (re-signed later, as Vipps retries) 200 duplicate and keeps exactly one job', async () => {
      const body = JSON.stringify(checkinPayload());
      expect((await h.send(h.sign(body))).status).toBe(202);
      h.clock.advance(2_000);
      const again = await h.send(h.sign(body));
      expect([again.status, again.body]).toEqual([200, { status: 'duplicate' }]);
      expect(await h.queue.jobs()).toHaveLength(1);
      expect(await counter(h.metrics.webhookRequests, { outcome: 'duplicate' })).toBe(1);
    });

    it('accepts the older merchantSerialNumber field', async () => {
      const { msn: _msn, ...rest } = checkinPayload();
      expect((await h.send(h.sign({ ...rest, merchantSerialNumber: '123456' }))).status).toBe(202);
    });

    it('queues an ePayment event in the lane its reference resolves to', async () => {
      const res = await h.send(h.sign(payment()));
      expect(res.status).toBe(202);
      const [job] = await h.queue.jobs();
      expect(job).toMatchObject({ group: 'lane-1', type: 'epayment-event' });
      expect(job?.payload).toMatchObject({ type: 'epayment-event', laneId: 'lane-1', event: payment() });
    });

    it('keeps one job per (reference, name, pspReference)', async () => {
      await h.send(h.sign(payment()));
      await h.send(h.sign(payment()));
      await h.send(h.sign(payment({ name: 'CAPTURED', pspReference: 'psp-2' })));
      expect(
        (await h.queue.jobs()).map((j) => (j.payload as { event: { name: string } }).event.name),
      ).toEqual(['AUTHORIZED', 'CAPTURED']);
    });
  });

  describe('webhook route: verified but unusable events are answered 200 and dropped', () => {
    it.each([
      ['a check-in for an unknown QR', () => checkinPayload({ merchantQrId: 'no-such-qr' }), 'unknown_lane'],
      ['a check-in for a disabled lane', () => checkinPayload({ merchantQrId: 'lane-off' }), 'lane_disabled'],
      [
        'a check-in 121 s old',
        () => checkinPayload({ initiatedAt: '2026-01-01T11:57:59Z' }),
        'stale_checkin',
      ],
      [
        'a payment the gateway did not make',
        () => payment({ reference: 'pos-system-ref-1' }),
        'unknown_reference',
      ],
    ])('%s ⇒ 200 dropped %s, counted, nothing queued', async (_name, body, reason) => {
      const res = await h.send(h.sign(body()));
      expect([res.status, res.body]).toEqual([200, { status: 'dropped', code: reason }]);
      expect(await h.queue.jobs()).toHaveLength(0);
      expect(await counter(h.metrics.drops, { reason })).toBe(1);
      expect(h.logs()).toContain(`"reason":"${reason}"`);
    });

    it.each([
      ['a body that is not JSON', 'this is not json', 'invalid_json'],
      ['JSON of the wrong shape', '{"hello":"world"}', 'unknown_shape'],
      [
        'a check-in whose initiatedAt is not a date',
        JSON.stringify(checkinPayload({ initiatedAt: 'soon' })),
        'unknown_shape',
      ],
      [
        'a recurring event',
        '{"agreementId":"agr_1","eventType":"recurring.charge-reserved.v1"}',
        'unsupported_event_type',
      ],
      [
        'an ePayment event whose name Vipps added later',
        JSON.stringify(payment({ name: 'CAPTURE_REVERSED' })),
        'unsupported_event_type',
      ],
    ])('%s ⇒ 200 dropped %s, raw body kept in intake_dead_letters', async (_name, body, reason) => {
      const req = h.sign(body);
      const res = await h.send(req);
      expect([res.status, res.body]).toEqual([200, { status: 'dropped', code: reason }]);
      expect(await h.queue.jobs()).toHaveLength(0);
      const letters = await deadLetters(db);
      // A check-in's token is erased from what is kept (architecture §2); every other body is kept as signed.
      const parsed = body.includes('customerToken') ? (JSON.parse(body) as object) : undefined;
      expect(letters).toEqual([
        {
          reason,
          detail: expect.any(String),
          contentType: 'application/json; charset=utf-8',
          rawBody: parsed
            ? Buffer.from(JSON.stringify({ ...parsed, customerToken: null, customerTokenErased: true }))
            : req.body,
        },
      ]);
      expect(await counter(h.metrics.drops, { reason })).toBe(1);
    });

    it('an ePayment event with an unknown name for a known payment ⇒ 200 dropped, counted, nothing queued', async () => {
      const res = await h.send(h.sign(payment({ name: 'PARTIALLY_SETTLED' })));
      expect([res.status, res.body]).toEqual([200, { status: 'dropped', code: 'unsupported_event_type' }]);
      expect(await h.queue.jobs()).toHaveLength(0);
      expect(await counter(h.metrics.drops, { reason: 'unsupported_event_type' })).toBe(1);
      expect(await counter(h.metrics.webhookRequests, { outcome: 'dropped' })).toBe(1);
      expect(h.logs()).toContain('ePayment event \\"PARTIALLY_SETTLED\\"');
    });

    it('keeps non-UTF-8 bytes exactly', async () => {
      const req = h.sign(Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]));
      expect((await h.send(req)).body).toEqual({ status: 'dropped', code: 'invalid_json' });
      expect((await deadLetters(db))[0]?.rawBody).toEqual(req.body);
    });
  });

  describe('webhook route: when the event cannot be made durable', () => {
    it('answers 503 queue_unavailable while the queue is down, then 202 on the retry', async () => {
      h.queue.failEnqueue?.(new Error('connect ECONNREFUSED 10.0.0.5:5432'));
      const down = await h.send(h.sign(checkinPayload()));
      expect([down.status, down.body.code]).toEqual([503, 'queue_unavailable']);
      expect(down.text).not.toContain('ECONNREFUSED');
      expect(await h.queue.jobs()).toHaveLength(0);
      h.queue.failEnqueue?.(undefined);
      expect((await h.send(h.sign(checkinPayload()))).status).toBe(202);
    });

    it('answers 503 store_unavailable when a dead letter cannot be written', async () => {
      const broken: Sql = {
        query: () => Promise.reject(new Error('store down')),
        transaction: () => Promise.reject(new Error('store down')),
        batch: () => Promise.reject(new Error('store down')),
      };
      const b = buildHarness(broken, {}, 1, via);
      const res = await b.send(b.sign('not json'));
      expect([res.status, res.body.code]).toEqual([503, 'store_unavailable']);
      expect(await counter(b.metrics.webhookRequests, { outcome: 'error' })).toBe(1);
    });

    it('answers 503 store_unavailable when the reference lookup fails', async () => {
      const b = buildHarness(db, { resolveReference: () => Promise.reject(new Error('db down')) }, 1, via);
      const res = await b.send(b.sign(payment()));
      expect([res.status, res.body.code]).toEqual([503, 'store_unavailable']);
    });
  });

  describe('webhook route: logs', () => {
    it('never writes the customer token to a log line, whatever happens to the event', async () => {
      const events = [
        checkinPayload(),
        checkinPayload(),
        checkinPayload({ merchantQrId: 'no-such-qr' }),
        checkinPayload({ merchantQrId: 'lane-off' }),
        checkinPayload({ initiatedAt: '2026-01-01T11:00:00Z' }),
        checkinPayload({ initiatedAt: 'not a date' }),
        { ...checkinPayload(), msn: 42 },
      ];
      for (const e of events) await h.send(h.sign(e));
      await h.send(h.sign(checkinPayload(), { secret: 'wrong' }));
      h.queue.failEnqueue?.(new Error(`enqueue failed for ${TOKEN}`));
      await h.send(h.sign(checkinPayload({ initiatedAt: '2026-01-01T11:59:58Z' })));

      const logs = h.logs();
      for (const expected of [
        'webhook event queued',
        'already queued',
        'unknown_lane',
        'lane_disabled',
        'stale_checkin',
      ]) {
        expect(logs).toContain(expected);
      }
      expect(logs).toContain('unknown_shape');
      expect(logs).toContain('webhook verification failed');
      expect(logs).toContain('could not be made durable');
      expect(logs).not.toContain(TOKEN);
    });
  });
});
