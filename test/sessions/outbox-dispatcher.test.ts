// The outbox dispatcher with the real webhook channel posting to real HTTP receivers on 127.0.0.1:0: per-lane
// order, a failing head blocking only its own lane, stable ids (webhook-id) across retries, refused messages
// set aside, and a wake-up that delivers at once.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { systemClock } from '../../src/clock';
import { createChannelRegistry } from '../../src/channels/registry';
import type { Lane } from '../../src/lanes/lane';
import { createLaneRegistry } from '../../src/lanes/registry';
import { silentLogger } from '../../src/log';
import type { LaneMessage } from '../../src/sessions/lane-message';
import { createOutboxDispatcher, type OutboxDispatcher } from '../../src/sessions/outbox-dispatcher';
import { addToOutbox, listOutbox } from '../../src/store/outbox-repo';
import type { Database } from '../../src/store/sql';
import { startReceiver, type Receiver, type Reply } from '../channels/webhook-receiver';
import { deferred } from '../queue/queue-test-helpers';
import { openTestDatabase, truncateAll } from '../support/db';
import { waitFor } from '../support/wait-for';
import { sessionMessages } from './session-messages';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const S = (n: number): string => `s_${String(n).repeat(32).slice(0, 32)}`;

function lane(id: string, url: string): Lane {
  return {
    id,
    kind: 'self-checkout',
    msn: '123456',
    merchantQrId: `qr-${id}`,
    description: `Lane ${id}`,
    currency: 'NOK',
    fixedAmount: 100,
    enabled: true,
    controller: { type: 'webhook', url, secretEnv: 'LANE_HOOK_SECRET' },
  };
}

/** webhook-id of each request, after checking its Standard Webhooks signature. */
function deliveredIds(receiver: Receiver): string[] {
  const wh = new Webhook(secret);
  return receiver.received.map((r) => {
    const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]));
    const body = wh.verify(r.body, headers) as { id: string };
    expect(body.id).toBe(headers['webhook-id']);
    return body.id;
  });
}

let db: Database;
const receivers: Receiver[] = [];
let dispatcher: OutboxDispatcher | undefined;

beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db.close();
});
afterEach(async () => {
  await dispatcher?.stop();
  dispatcher = undefined;
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await truncateAll(db);
});

async function receiver(respond: (index: number) => Reply): Promise<Receiver> {
  const r = await startReceiver((_req, index) => respond(index));
  receivers.push(r);
  return r;
}

function dispatch(lanes: Lane[], pollIntervalMs = 20, store: Database = db): OutboxDispatcher {
  const registry = createLaneRegistry(lanes);
  dispatcher = createOutboxDispatcher({
    db: store,
    channels: createChannelRegistry({
      fetch: globalThis.fetch,
      clock: systemClock,
      logger: silentLogger(),
      secrets: (name) => (name === 'LANE_HOOK_SECRET' ? secret : undefined),
      webhook: { maxAttempts: 1, timeoutMs: 2_000 },
    }),
    lanes: () => registry,
    clock: systemClock,
    logger: silentLogger(),
    pollIntervalMs,
    backoff: { baseMs: 10, maxMs: 40 },
  });
  dispatcher.start();
  return dispatcher;
}

it('delivers each lane in order; a failing head blocks only its lane and keeps its id', async () => {
  const flaky = await receiver((i) => ({ status: i < 2 ? 503 : 204 }));
  const steady = await receiver(() => ({ status: 200 }));
  const a = sessionMessages('lane-a', S(1));
  const b = sessionMessages('lane-b', S(2));
  await addToOutbox(db, [a[0], b[0], a[1], b[1], a[2], b[2]] as LaneMessage[], new Date());
  dispatch([lane('lane-a', flaky.url), lane('lane-b', steady.url)]);

  await steady.waitForRequests(3);
  await flaky.waitForRequests(5);
  expect(deliveredIds(steady)).toEqual(b.map((m) => m.id));
  // Two failed attempts of the head, the same id each time, and nothing behind it went first.
  expect(deliveredIds(flaky)).toEqual([a[0], a[0], a[0], a[1], a[2]].map((m) => m?.id));
  const rows = await waitFor(async () => {
    const all = await listOutbox(db, 'lane-a');
    return all.every((r) => r.deliveredAt) ? all : null;
  });
  expect(rows.map((r) => r.attempts)).toEqual([2, 0, 0]);
  expect(rows[0]?.lastError).toContain('webhook_unavailable');
});

it('sets aside a message the controller refuses, and one whose lane is gone; the lane moves on', async () => {
  const strict = await receiver((i) => ({ status: i === 0 ? 400 : 200 }));
  const c = sessionMessages('lane-c', S(3));
  const gone = sessionMessages('lane-gone', S(4));
  await addToOutbox(db, [...c, gone[0] as LaneMessage], new Date());
  dispatch([lane('lane-c', strict.url)]);

  await strict.waitForRequests(3);
  const rows = await waitFor(async () => {
    const all = await listOutbox(db);
    return all.every((r) => r.deliveredAt || r.failedAt) ? all : null;
  });
  expect(rows.map((r) => [r.id, r.deliveredAt !== null, r.failedAt !== null])).toEqual([
    [c[0]?.id, false, true],
    [c[1]?.id, true, false],
    [c[2]?.id, true, false],
    [gone[0]?.id, false, true],
  ]);
  expect(rows[0]?.lastError).toContain('webhook_rejected');
  expect(rows[3]?.lastError).toBe('the lane is no longer in the lanes file');
});

it('delivers at once when woken, without waiting for the next poll', async () => {
  const steady = await receiver(() => ({ status: 200 }));
  const d = dispatch([lane('lane-d', steady.url)], 60_000);
  const first = sessionMessages('lane-d', S(5));
  const second = sessionMessages('lane-d', S(6));
  await addToOutbox(db, first, new Date());
  d.wake();
  await steady.waitForRequests(3);
  // The loop is now idle on its 60 s poll: only wake() can make it look again this soon.
  await addToOutbox(db, second, new Date());
  d.wake();
  await steady.waitForRequests(6);
  expect(deliveredIds(steady)).toEqual([...first, ...second].map((m) => m.id));
});

it('gives back the heads it leased but had not sent when it is stopped', async () => {
  const steady = await receiver(() => ({ status: 200 }));
  await addToOutbox(db, sessionMessages('lane-e', S(7)), new Date());
  const leased = deferred();
  const gate = deferred();
  // Holds the dispatcher right after it leased the lane's head, so stop() lands before the send.
  const held: Database = {
    ...db,
    query: (async (text: string, params?: readonly unknown[]) => {
      const r = await db.query(text, params);
      if (text.includes('UPDATE outbox o SET lease_until')) {
        leased.resolve();
        await gate.promise;
      }
      return r;
    }) as Database['query'],
  };
  const d = dispatch([lane('lane-e', steady.url)], 60_000, held);
  await leased.promise;
  expect(
    (await db.query('SELECT count(*)::int AS n FROM outbox WHERE lease_until IS NOT NULL')).rows,
  ).toEqual([{ n: 1 }]);
  const stopped = d.stop();
  gate.resolve();
  await stopped;
  expect(steady.received).toHaveLength(0);
  expect(
    (await db.query('SELECT count(*)::int AS n FROM outbox WHERE lease_until IS NOT NULL')).rows,
  ).toEqual([{ n: 0 }]);
});
