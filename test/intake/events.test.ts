import { parseEvent } from '../../src/intake/events';
import { capturingLogger } from '../queue/queue-test-helpers';

const TOKEN = 'c2VjcmV0LWN1c3RvbWVyLXRva2VuLTE1LW1pbg==';
const checkin = {
  customerToken: TOKEN,
  merchantQrId: 'lane-1',
  msn: '123456',
  initiatedAt: '2023-10-06T10:45:40.3061965Z',
};
const payment = {
  msn: '123456',
  reference: 'lane-1-abcdef12',
  pspReference: '7686f7788898767977',
  name: 'AUTHORIZED',
  amount: { currency: 'NOK', value: 4900 },
  timestamp: '2023-10-06T10:46:02.123Z',
  idempotencyKey: 'lane-1-abcdef12-create',
  success: true,
};
const parse = (value: unknown) =>
  parseEvent(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)));

describe('parseEvent: user.checked-in.v1', () => {
  it('reads a check-in with msn', () => {
    expect(parse(checkin)).toEqual({ ok: true, value: { kind: 'checkin', event: checkin } });
  });

  it('reads the older merchantSerialNumber as msn', () => {
    const { msn: _msn, ...rest } = checkin;
    expect(parse({ ...rest, merchantSerialNumber: '999' })).toEqual({
      ok: true,
      value: { kind: 'checkin', event: { ...rest, msn: '999' } },
    });
  });

  it('keeps initiatedAt verbatim (7 fractional digits) for the dedup key', () => {
    const r = parse(checkin);
    expect(r.ok && r.value.kind === 'checkin' && r.value.event.initiatedAt).toBe(
      '2023-10-06T10:45:40.3061965Z',
    );
  });

  it.each([
    ['initiatedAt is not a date', { initiatedAt: 'not a date' }, 'initiatedAt'],
    ['initiatedAt is a date without a time', { initiatedAt: '2023-10-06' }, 'initiatedAt'],
    ['initiatedAt is February 30th', { initiatedAt: '2023-02-30T10:00:00Z' }, 'initiatedAt'],
    ['initiatedAt is a number', { initiatedAt: 1696589140306 }, 'initiatedAt'],
    ['customerToken is empty', { customerToken: '' }, 'customerToken'],
    ['merchantQrId is missing', { merchantQrId: undefined }, 'merchantQrId'],
    ['msn is a number', { msn: 123456 }, 'msn'],
  ])('drops a check-in whose %s as unknown_shape naming the field', (_name, patch, field) => {
    const r = parse({ ...checkin, ...patch });
    expect(r).toEqual({ ok: false, reason: 'unknown_shape', detail: expect.stringContaining(field) });
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  });
});

describe('parseEvent: epayments.payment.*.v1', () => {
  it('reads an ePayment event', () => {
    expect(parse(payment)).toEqual({ ok: true, value: { kind: 'epayment', event: payment } });
  });

  it('reads an event without idempotencyKey (e.g. CANCELLED) and one with null', () => {
    const { idempotencyKey: _k, ...rest } = payment;
    const cancelled = { ...rest, name: 'CANCELLED' };
    expect(parse(cancelled)).toEqual({ ok: true, value: { kind: 'epayment', event: cancelled } });
    expect(parse({ ...cancelled, idempotencyKey: null })).toEqual({
      ok: true,
      value: { kind: 'epayment', event: cancelled },
    });
  });

  it('passes success:false through', () => {
    const r = parse({ ...payment, name: 'CAPTURED', success: false });
    expect(r.ok && r.value.kind === 'epayment' && r.value.event.success).toBe(false);
  });

  it('drops an ePayment event with a name it does not know as unsupported_event_type', () => {
    expect(parse({ ...payment, name: 'REFUND_FAILED' })).toEqual({
      ok: false,
      reason: 'unsupported_event_type',
      detail: 'ePayment event "REFUND_FAILED"',
    });
  });

  it('cuts an unknown name to a safe word (letters, digits, _ and -, 40 at most) in the detail', () => {
    const name = `NEW "event" ${'y'.repeat(60)}`;
    expect(parse({ ...payment, name })).toEqual({
      ok: false,
      reason: 'unsupported_event_type',
      detail: `ePayment event "NEWevent${'y'.repeat(32)}"`,
    });
  });

  it('logs an unknown name once per process when given a logger, however often it comes', () => {
    const { logger, lines } = capturingLogger();
    const body = Buffer.from(JSON.stringify({ ...payment, name: 'PAYOUT_DELAYED' }));
    expect(parseEvent(body, logger)).toMatchObject({ ok: false, reason: 'unsupported_event_type' });
    expect(parseEvent(body, logger)).toMatchObject({ ok: false, reason: 'unsupported_event_type' });
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ level: 'warn', kind: 'payment event name', value: 'PAYOUT_DELAYED' }),
    ]);
    expect(lines.join('\n')).not.toContain(payment.reference);
  });

  it.each([
    ['a fractional amount', { amount: { currency: 'NOK', value: 49.5 } }, 'amount'],
    ['an amount without currency', { amount: { value: 4900 } }, 'amount'],
    ['success as a string', { success: 'true' }, 'success'],
    ['a timestamp that is not a date', { timestamp: 'now' }, 'timestamp'],
    ['a numeric idempotencyKey', { idempotencyKey: 7 }, 'idempotencyKey'],
    ['no msn', { msn: undefined }, 'msn'],
  ])('drops an ePayment event with %s as unknown_shape', (_name, patch, field) => {
    expect(parse({ ...payment, ...patch })).toEqual({
      ok: false,
      reason: 'unknown_shape',
      detail: expect.stringContaining(field),
    });
  });
});

describe('parseEvent: everything else', () => {
  it.each([
    ['not JSON', 'hello', 'invalid_json'],
    ['truncated JSON', '{"customerToken":', 'invalid_json'],
    ['empty', '', 'invalid_json'],
    ['an array', '[1,2]', 'unknown_shape'],
    ['null', 'null', 'unknown_shape'],
    ['a string', '"x"', 'unknown_shape'],
    ['an unrelated object', '{"hello":"world"}', 'unknown_shape'],
  ])('drops a body that is %s as %s', (_name, body, reason) => {
    expect(parse(body)).toMatchObject({ ok: false, reason });
  });

  it('drops bytes that are not UTF-8 as invalid_json', () => {
    expect(parseEvent(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]))).toMatchObject({
      ok: false,
      reason: 'invalid_json',
    });
  });

  it('drops a recurring event as unsupported_event_type', () => {
    expect(parse({ agreementId: 'agr_1', eventType: 'recurring.agreement-activated.v1' })).toEqual({
      ok: false,
      reason: 'unsupported_event_type',
      detail: 'event type "recurring.agreement-activated.v1"',
    });
  });
});
