// The messages the machine emits must match the shipped schema (docs/lane-messages.schema.json) and the
// channel port's LaneMessage type, and must never carry the customer token.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LaneMessage as ChannelLaneMessage } from '../../src/channels/channel';
import { laneMessage, type LaneMessage } from '../../src/sessions/lane-message';
import type { Input } from '../../src/sessions/types';
import { validate } from '../channels/json-schema-subset';
import { LaneSim, T0, TOKEN, checkinFor, nok, saleFor, selfCheckoutLane, vendingLane } from './harness';

const schema = JSON.parse(
  readFileSync(join(__dirname, '../../docs/lane-messages.schema.json'), 'utf8'),
) as Record<string, unknown>;

function emitted(sim: LaneSim): LaneMessage[] {
  return sim.log.flatMap(({ result }) =>
    result.effects.flatMap((e) => (e.type === 'send-lane-message' ? [e.message] : [])),
  );
}

/** Runs journeys that between them emit every message type. */
function allJourneys(): LaneMessage[] {
  const vend = new LaneSim(vendingLane, T0);
  vend.apply(checkinFor(vendingLane, T0));
  vend.apply(vend.by('payment-created'), 300);
  vend.apply(vend.event('AUTHORIZED', 10000), 5000);
  const busy = checkinFor(vendingLane, T0 + 6000, 'busy-token');
  vend.apply(busy, 700);
  vend.lastId = vend.log[0]!.result.session!.id;
  const report: Input = {
    type: 'dispense-report',
    sessionId: vend.session.id,
    result: 'dispensed',
    amount: nok(2500),
  };
  vend.apply(report, 9000);
  vend.apply(vend.by('capture-done'), 300);
  vend.apply(vend.by('cancel-done'), 300);

  const shop = new LaneSim(selfCheckoutLane, T0);
  shop.apply({ type: 'sale-opened', sale: saleFor(selfCheckoutLane, 'order-1', 4900, T0) });
  shop.apply(checkinFor(selfCheckoutLane, T0));
  shop.apply(shop.event('ABORTED', 4900), 8000);
  shop.apply(checkinFor(selfCheckoutLane, T0 + 9000, 'second-token'), 1000);
  shop.apply(shop.event('AUTHORIZED', 4900), 5000);
  shop.apply(shop.by('capture-done'), 300);
  shop.apply(checkinFor(selfCheckoutLane, T0 + 20_000, 'third-token'), 1000);
  shop.fire('sale-wait');
  return [...emitted(vend), ...emitted(shop)];
}

describe('lane messages', () => {
  const all = allJourneys();

  it('covers every message type in these journeys', () => {
    expect(new Set(all.map((m) => m.type))).toEqual(
      new Set([
        'session.checked-in',
        'session.payment-requested',
        'session.authorized',
        'session.paid',
        'session.completed',
        'session.cancelled',
        'session.failed',
        'session.dropped',
      ]),
    );
  });

  it('validates every emitted message against docs/lane-messages.schema.json', () => {
    for (const message of all) expect([message.type, validate(schema, message)]).toEqual([message.type, []]);
  });

  it('never carries the customer token, and ids are unique per (session, step)', () => {
    for (const token of [TOKEN, 'busy-token', 'second-token', 'third-token']) {
      expect(JSON.stringify(all)).not.toContain(token);
    }
    expect(new Set(all.map((m) => m.id)).size).toBe(all.length);
    for (const m of all) expect(m.id).toBe(`${m.sessionId}.${m.type.slice('session.'.length)}`);
  });

  it('is what the lane channel port sends (compile-time check) and has version 1', () => {
    const message = laneMessage(
      { id: `s_${'0'.repeat(32)}`, laneId: 'l' },
      'session.dropped',
      { reason: 'busy' },
      new Date(T0),
    );
    const forChannel: ChannelLaneMessage = message;
    expect(forChannel).toEqual({
      id: `s_${'0'.repeat(32)}.dropped`,
      v: 1,
      type: 'session.dropped',
      laneId: 'l',
      sessionId: `s_${'0'.repeat(32)}`,
      at: '2026-01-01T12:00:00.000Z',
      data: { reason: 'busy' },
    });
  });
});
