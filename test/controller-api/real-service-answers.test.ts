// The controller API router over the real ControllerService (PGlite and the PostgresQueue): the exact answers
// to a second, different dispense report while the first is queued, and to a sale over the amount cap, and
// that neither leaves anything behind (no job, no sale row, the session row untouched).
import express from 'express';
import request from 'supertest';
import { FakeClock } from '../../src/clock';
import { parseControllerKeys } from '../../src/controller-api/auth';
import { createControllerRouter } from '../../src/controller-api/routes';
import { silentLogger } from '../../src/log';
import { PostgresQueue } from '../../src/queue/postgres-queue';
import { createControllerService } from '../../src/sessions/controller-service';
import type { Session } from '../../src/sessions/types';
import { loadSession, saveSession } from '../../src/store/sessions-repo';
import type { Database } from '../../src/store/sql';
import { openTestDatabase, truncateAll } from '../support/db';
import { checkinFor, LaneSim, selfCheckoutLane, vendingLane } from '../sessions/harness';
import { bearer, keyEntries, laneRegistry } from './harness';
import { expectProblem } from './problem-assertions';

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db.close();
});
afterEach(async () => {
  await truncateAll(db);
});

function app(clock: FakeClock) {
  const queue = new PostgresQueue({
    sql: db,
    clock,
    logger: silentLogger(),
    maxAttempts: 3,
    backoff: { baseMs: 1000, maxMs: 1000 },
  });
  const lanes = () => laneRegistry([vendingLane, selfCheckoutLane]);
  const service = createControllerService({ db, queue, lanes, clock });
  const server = express();
  server.use(
    createControllerRouter({
      service,
      lanes,
      auth: { keys: parseControllerKeys(keyEntries), clock },
      logger: silentLogger(),
    }),
  );
  const auth = bearer({ exp: Math.floor(clock.now().getTime() / 1000) + 300, lanes: '*' });
  return {
    queue,
    post: (path: string, body: object) => request(server).post(path).set('Authorization', auth).send(body),
  };
}

/** An authorized vending session (10000 reserved), stored as the worker would have. */
async function authorizedSession(clock: FakeClock): Promise<Session> {
  const now = clock.now().getTime();
  const sim = new LaneSim(vendingLane, now);
  sim.apply(checkinFor(vendingLane, now));
  sim.apply(sim.by('payment-created'));
  sim.apply(sim.poll('AUTHORIZED', 10000));
  for (const s of sim.sessions.values()) await saveSession(db, s, 0);
  return sim.session;
}

async function jobRows(): Promise<unknown[]> {
  return (await db.query('SELECT type, dedup_key, payload FROM jobs ORDER BY id')).rows;
}

describe('controller API over the real service', () => {
  it('a different dispense report while the first is queued ⇒ 409 session_finished; nothing queued or changed', async () => {
    const clock = new FakeClock();
    const api = app(clock);
    const session = await authorizedSession(clock);
    const path = `/v1/sessions/${session.id}/dispense`;

    const first = await api.post(path, { result: 'dispensed', amount: 2500 });
    expect([first.status, first.body]).toEqual([202, { sessionId: session.id, status: 'accepted' }]);
    const queued = await jobRows();
    expect(queued).toEqual([
      {
        type: 'dispense-report',
        dedup_key: `dispense:${session.id}`,
        payload: { sessionId: session.id, result: 'dispensed', amount: { currency: 'NOK', value: 2500 } },
      },
    ]);

    expectProblem(
      await api.post(path, { result: 'failed' }),
      409,
      'session_finished',
      'The session has already finished',
      { detail: `a different report (dispensed 2500) was already accepted for ${session.id}` },
    );
    expect(await jobRows()).toEqual(queued);
    expect(await api.queue.stats()).toEqual({ ready: 1, inFlight: 0, delayed: 0, dead: 0 });
    expect(await loadSession(db, session.id)).toEqual(session);

    const again = await api.post(path, { result: 'dispensed', amount: 2500 });
    expect([again.status, again.body]).toEqual([202, { sessionId: session.id, status: 'duplicate' }]);
    expect(await jobRows()).toEqual(queued);
  });

  it('a sale over the 65000000 cap ⇒ 422 invalid_body naming the cap; no sale row, no job', async () => {
    const clock = new FakeClock();
    const api = app(clock);
    const res = await api.post(`/v1/lanes/${selfCheckoutLane.id}/sale`, {
      amount: 65_000_001,
      currency: 'NOK',
      description: 'A very large order',
      orderId: 'pos-3:big',
    });
    const message = 'expected at most 65000000 minor units (the ePayment maximum), got 65000001';
    expectProblem(res, 422, 'invalid_body', 'The request body is invalid', {
      detail: `amount: ${message}`,
      errors: [{ field: 'amount', message }],
    });
    expect((await db.query('SELECT lane_id FROM open_sales')).rows).toEqual([]);
    expect(await jobRows()).toEqual([]);
  });
});
