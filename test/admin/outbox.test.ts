// The outbox backlog per lane and `retry`: a lane whose controller failed once waits out a long backoff; retry
// makes its held messages due now, the dispatcher (woken) delivers them in order, and the retry is audited.
import { randomBytes } from 'node:crypto';
import { createOutboxService, type OutboxService } from '../../src/admin/outbox';
import { systemClock } from '../../src/clock';
import { createChannelRegistry } from '../../src/channels/registry';
import type { Lane } from '../../src/lanes/lane';
import { createLaneRegistry } from '../../src/lanes/registry';
import { silentLogger } from '../../src/log';
import { createOutboxDispatcher, type OutboxDispatcher } from '../../src/sessions/outbox-dispatcher';
import { addToOutbox, listOutbox } from '../../src/store/outbox-repo';
import type { Database } from '../../src/store/sql';
import { startReceiver, type Receiver } from '../channels/webhook-receiver';
import { sessionMessages } from '../sessions/session-messages';
import { useTestDatabase } from '../support/use-test-database';
import { waitFor } from '../support/wait-for';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const SESSION = `s_${'3'.repeat(32)}`;

let db: Database;
let receiver: Receiver;
let dispatcher: OutboxDispatcher;
let outbox: OutboxService;
useTestDatabase((d) => (db = d));

beforeEach(async () => {
  // The controller is down for the first request only.
  receiver = await startReceiver((_req, i) => ({ status: i === 0 ? 503 : 204 }));
  const lane: Lane = {
    id: 'lane-a',
    kind: 'self-checkout',
    msn: '123456',
    merchantQrId: 'qr-a',
    description: 'Lane A',
    currency: 'NOK',
    fixedAmount: 100,
    enabled: true,
    controller: { type: 'webhook', url: receiver.url, secretEnv: 'LANE_HOOK_SECRET' },
  };
  const lanes = createLaneRegistry([lane]);
  dispatcher = createOutboxDispatcher({
    db,
    channels: createChannelRegistry({
      fetch: globalThis.fetch,
      clock: systemClock,
      logger: silentLogger(),
      secrets: (name) => (name === 'LANE_HOOK_SECRET' ? secret : undefined),
      webhook: { maxAttempts: 1, timeoutMs: 2_000 },
    }),
    lanes: () => lanes,
    clock: systemClock,
    logger: silentLogger(),
    pollIntervalMs: 20,
    // Held for minutes after a failure (jittered): only a retry gets it out sooner.
    backoff: { baseMs: 600_000, maxMs: 600_000 },
  });
  outbox = createOutboxService({
    db,
    clock: systemClock,
    lanes: () => lanes,
    audit: { db, clock: systemClock, logger: silentLogger() },
    wakeOutbox: () => dispatcher.wake(),
  });
});
afterEach(async () => {
  await dispatcher.stop();
  await receiver.close();
});

it('lists a held lane with its backlog, head error and next attempt; retry delivers it now, audited', async () => {
  expect(await outbox.list()).toEqual([]);
  await addToOutbox(db, sessionMessages('lane-a', SESSION), new Date());
  dispatcher.start();
  await waitFor(async () => (await listOutbox(db, 'lane-a'))[0]?.attempts === 1, {
    what: 'a failed attempt',
  });

  const [backlog] = await outbox.list();
  expect(backlog).toEqual({
    laneId: 'lane-a',
    pending: 3,
    oldestUndeliveredAt: expect.any(String),
    oldestUndeliveredAgeS: expect.any(Number),
    attempts: 1,
    lastError: expect.stringContaining('503'),
    nextAttemptAt: expect.any(String),
    failed: 0,
  });
  expect(Date.parse(backlog?.nextAttemptAt ?? '') - Date.now()).toBeGreaterThan(60_000); // backoff with jitter: minutes away
  expect(receiver.received).toHaveLength(1);

  expect(await outbox.retry('lane-a', 'alice')).toEqual({ laneId: 'lane-a', outcome: 'ok', due: 1 }); // the head; the rest wait behind it, already due
  await waitFor(async () => (await listOutbox(db, 'lane-a')).every((m) => m.deliveredAt !== null), {
    what: 'every message delivered after the retry',
  });
  expect(receiver.received).toHaveLength(4);
  expect(await outbox.list()).toEqual([]);
  expect(await outbox.list({ laneId: 'lane-a' })).toEqual([
    expect.objectContaining({ laneId: 'lane-a', pending: 0, oldestUndeliveredAt: null }),
  ]);
  const { rows } = await db.query('SELECT operator, action, target, outcome, detail FROM admin_audit');
  expect(rows).toEqual([
    { operator: 'alice', action: 'outbox.retry', target: 'lane-a', outcome: 'ok', detail: { due: 1 } },
  ]);
});

it('a lane neither in the lanes file nor in the outbox is not_found, audited, nothing changed', async () => {
  expect(await outbox.retry('lane-zz', 'alice')).toEqual({ laneId: 'lane-zz', outcome: 'not_found' });
  const { rows } = await db.query('SELECT action, target, outcome FROM admin_audit');
  expect(rows).toEqual([{ action: 'outbox.retry', target: 'lane-zz', outcome: 'not_found' }]);
});
