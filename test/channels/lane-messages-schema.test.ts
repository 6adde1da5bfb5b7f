import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toWireMessage } from '../../src/channels/lane-message-wire';
import type { LaneMessage } from '../../src/channels/channel';
import { laneMessage, type LaneMessage as SessionLaneMessage } from '../../src/sessions/lane-message';
import { validate } from './json-schema-subset';

const schema = JSON.parse(
  readFileSync(join(__dirname, '../../docs/lane-messages.schema.json'), 'utf8'),
) as Record<string, unknown>;

const nok = (value: number) => ({ currency: 'NOK' as const, value });

function message(type: string, data: Record<string, unknown>): LaneMessage {
  return {
    id: `ses_1:${type}`,
    type,
    laneId: 'vend-oslo-1',
    sessionId: 'ses_1',
    at: '2026-01-01T12:00:00.000Z',
    data,
  };
}

const validByType: Record<string, Record<string, unknown>> = {
  'session.checked-in': { kind: 'self-checkout', awaitingSale: true },
  'session.payment-requested': { amount: nok(4900), orderId: 'pos-3:1001' },
  'session.authorized': { maxAmount: nok(10000) },
  'session.paid': { amount: nok(4900), orderId: null },
  'session.completed': { capturedAmount: nok(2500), cancelledAmount: nok(7500) },
  'session.cancelled': { reason: 'dispense-failed', orderId: null },
  'session.failed': { reason: 'rejected', orderId: 'pos-3:1001' },
  'session.dropped': { reason: 'busy' },
  'session.qr-ready': {
    qrImageUrl: 'https://example.test/qr.svg',
    qrFormat: 'IMAGE/SVG+XML',
    expiresAt: '2026-01-01T12:10:00.000Z',
  },
  'session.refunded': { refundId: 'r-1', amount: nok(500), refundedAmount: nok(500), reason: null },
};

describe('docs/lane-messages.schema.json', () => {
  it('is a draft 2020-12 schema whose type enum lists exactly the documented message types', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const typeEnum = (schema.properties as { type: { enum: string[] } }).type.enum;
    expect([...typeEnum].sort()).toEqual(Object.keys(validByType).sort());
  });

  it('accepts its own examples', () => {
    const examples = schema.examples as unknown[];
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) expect(validate(schema, example)).toEqual([]);
  });

  it.each(Object.entries(validByType))('accepts the wire form of a %s message', (type, data) => {
    expect(validate(schema, toWireMessage(message(type, data)))).toEqual([]);
  });

  it('stamps v = 1 on the wire when the message carries no version', () => {
    expect(toWireMessage(message('session.checked-in', {})).v).toBe(1);
  });

  it.each([
    ['session.checked-in', { kind: 'vending' }, '/data', 'missing required property "awaitingSale"'],
    ['session.payment-requested', { orderId: null }, '/data', 'missing required property "amount"'],
    ['session.authorized', { maxAmount: 10000 }, '/data/maxAmount', 'expected object'],
    [
      'session.paid',
      { amount: { currency: 'NOK', value: 49.5 }, orderId: null },
      '/data/amount/value',
      'expected integer',
    ],
    [
      'session.paid',
      { amount: { currency: 'SEK', value: 4900 }, orderId: null },
      '/data/amount/currency',
      'expected one of',
    ],
    [
      'session.paid',
      { amount: { currency: 'NOK', value: -1 }, orderId: null },
      '/data/amount/value',
      'expected >= 0',
    ],
    ['session.paid', { amount: nok(4900) }, '/data', 'missing required property "orderId"'],
    [
      'session.completed',
      { capturedAmount: nok(2500) },
      '/data',
      'missing required property "cancelledAmount"',
    ],
    ['session.dropped', { reason: '' }, '/data/reason', 'expected length >= 1'],
    ['session.cancelled', { orderId: null }, '/data', 'missing required property "reason"'],
    ['session.failed', { reason: 'rejected', orderId: 42 }, '/data/orderId', 'expected string or null'],
  ])('rejects a %s message with data %j', (type, data, path, messageStart) => {
    const errors = validate(schema, toWireMessage(message(type, data)));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe(path);
    expect(errors[0]?.message.startsWith(messageStart)).toBe(true);
  });

  it('rejects an unknown type, an extra envelope member, a missing field, a bad timestamp and another version', () => {
    const wire = toWireMessage(message('session.paid', { amount: nok(100), orderId: null }));
    expect(validate(schema, { ...wire, type: 'session.reversed' })[0]?.path).toBe('/type');
    expect(validate(schema, { ...wire, customerToken: 'x' })).toEqual([
      { path: '/customerToken', message: 'no value is allowed here' },
    ]);
    const { sessionId: _omitted, ...withoutSession } = wire;
    expect(validate(schema, withoutSession)).toEqual([
      { path: '/', message: 'missing required property "sessionId"' },
    ]);
    expect(validate(schema, { ...wire, at: '01.01.2026 12:00' })).toEqual([
      { path: '/at', message: 'expected an RFC 3339 date-time' },
    ]);
    expect(validate(schema, { ...wire, v: 2 })).toEqual([{ path: '/v', message: 'expected 1' }]);
  });
});

describe('json-schema-subset', () => {
  it('refuses keywords it does not implement instead of ignoring them', () => {
    expect(() => validate({ type: 'string', contentEncoding: 'base64' }, 'x')).toThrow(
      'unsupported keyword "contentEncoding"',
    );
  });

  it('applies then only when if matches, and resolves local $ref', () => {
    const s = {
      $defs: { n: { type: 'integer' } },
      if: { properties: { k: { const: 'a' } } },
      then: { properties: { n: { $ref: '#/$defs/n' } } },
    };
    expect(validate(s, { k: 'a', n: 'x' })).toEqual([{ path: '/n', message: 'expected integer' }]);
    expect(validate(s, { k: 'b', n: 'x' })).toEqual([]);
  });
});

describe('lane messages built by the session state machine', () => {
  // The worker hands src/sessions' LaneMessage to a LaneChannel: it must type-check as the channel's
  // LaneMessage and its wire form must satisfy the shipped schema, for every type.
  const session = { id: `s_${'ab'.repeat(16)}`, laneId: 'shop-bergen-3' };
  const now = new Date('2026-01-01T12:00:00Z');
  const built: SessionLaneMessage[] = [
    laneMessage(session, 'session.checked-in', { kind: 'self-checkout', awaitingSale: false }, now),
    laneMessage(session, 'session.payment-requested', { amount: nok(4900), orderId: 'pos-3:1001' }, now),
    laneMessage(
      session,
      'session.authorized',
      { maxAmount: nok(10000), dispenseBy: '2026-01-01T12:01:00.000Z' },
      now,
    ),
    laneMessage(session, 'session.paid', { amount: nok(4900), orderId: null, settlement: 'pending' }, now),
    laneMessage(
      session,
      'session.completed',
      { capturedAmount: nok(2500), cancelledAmount: nok(7500), settlement: 'settled' },
      now,
    ),
    laneMessage(
      session,
      'session.refunded',
      { refundId: 'vend-fail-1', amount: nok(500), refundedAmount: nok(500), reason: 'jammed' },
      now,
      'refunded-0123456789ab',
    ),
    laneMessage(session, 'session.cancelled', { reason: 'sale-cancelled', orderId: 'pos-3:1001' }, now),
    laneMessage(session, 'session.failed', { reason: 'rejected', orderId: null }, now),
    laneMessage(session, 'session.dropped', { reason: 'busy' }, now),
  ];

  it.each(built.map((m) => [m.type, m]))('%s validates against the schema', (_type, built) => {
    const forChannel: LaneMessage = built;
    expect(validate(schema, toWireMessage(forChannel))).toEqual([]);
  });
});
