// Crash after each effect: the worker's afterEffect hook throws once, right after effect k of a vending sale
// (the job fails as if the process had died there; the queue redelivers it). For every k the customer still
// gets exactly one payment, one capture of what was dispensed, the rest released, and the controller every
// lane message under its stable id.
import type { Effect } from '../../src/sessions/types';
import { sessionHistory } from '../../src/store/history-repo';
import { openHarness, outboxIds, vending, type Harness } from './worker-harness';

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h.close();
});

const EXPECTED_MESSAGES = ['checked-in', 'payment-requested', 'authorized', 'completed'];

/** One vending sale (dispense 2500 of 10000) with a crash after effect number `crashAt` (0 = none). */
async function sale(crashAt: number): Promise<{ effects: Effect['type'][]; crashed: string | null }> {
  await h.reset();
  const effects: Effect['type'][] = [];
  let crashed: string | null = null;
  h.startWorker({
    hooks: {
      afterEffect: (effect) => {
        effects.push(effect.type);
        if (effects.length === crashAt && crashed === null) {
          crashed = effect.type;
          throw new Error(`simulated crash after effect ${crashAt} (${effect.type})`);
        }
      },
    },
  });
  const scan = await h.scan(vending);
  await h.waitForMessage(scan.sessionId, 'session.authorized');
  await h.service.reportDispense(scan.sessionId, { result: 'dispensed', amount: 2500 });
  const where = `crash after effect ${crashAt} (${crashed ?? 'none'})`;
  const session = await h.waitForState(scan.sessionId, 'completed').catch((err: Error) => {
    throw new Error(`${where}: ${err.message}`);
  });
  await h.waitForMessage(scan.sessionId, 'session.completed');

  const payments = await h.payments();
  expect({ where, count: payments.length }).toEqual({ where, count: 1 });
  const [payment] = payments;
  expect({ where, captures: payment?.events.filter((e) => e === 'CAPTURED').length }).toEqual({
    where,
    captures: 1,
  });
  expect({ where, aggregate: payment?.aggregate }).toMatchObject({
    where,
    aggregate: { capturedAmount: { value: 2500 }, cancelledAmount: { value: 7500 } },
  });
  expect({ where, session }).toMatchObject({ where, session: { capturedValue: 2500, customerToken: null } });

  // At least once, stable ids, each message written once.
  const ids = EXPECTED_MESSAGES.map((s) => `${scan.sessionId}.${s}`);
  const sent = h.channels.of(scan.sessionId).map((m) => m.id);
  expect({ where, sent: [...new Set(sent)] }).toEqual({ where, sent: ids });
  expect({ where, outbox: (await outboxIds(h.db, vending.id)).map((r) => r.id) }).toEqual({
    where,
    outbox: ids,
  });
  expect(JSON.stringify(await sessionHistory(h.db, scan.sessionId))).not.toContain(scan.customerToken);
  return { effects, crashed };
}

it('every crash point still ends in exactly one payment and one capture', async () => {
  const baseline = await sale(0);
  expect(baseline.effects).toEqual(expect.arrayContaining(['create-payment', 'capture', 'cancel']));
  const crashedAt: string[] = [];
  for (let k = 1; k <= baseline.effects.length; k += 1) {
    const run = await sale(k);
    if (run.crashed) crashedAt.push(run.crashed);
  }
  // Every kind of effect was crashed after at least once.
  expect(new Set(crashedAt)).toEqual(new Set(baseline.effects));
}, 120_000);
