import { createHash } from 'node:crypto';
import {
  IDEMPOTENCY_KEY_PATTERN,
  REFERENCE_PATTERN,
  SessionIdError,
  idempotencyKey,
  laneMessageId,
  referenceFor,
  sessionIdFor,
  timerJobId,
} from '../../src/sessions/ids';

const checkin = {
  msn: '123456',
  merchantQrId: 'd8b7d76d-49aa-48b8-90c6-38779372c163',
  initiatedAt: '2023-10-06T10:45:40.3061965Z',
  customerToken: 'wbA8ceVRKkoYiQAVELHeFCC3Sn5dtNCvvEtVPiOT77j6wx7uR965AG6Q+q0ATP4=',
};
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('sessionIdFor', () => {
  it('is s_ + the first 32 hex of sha256(msn|merchantQrId|initiatedAt|customerToken)', () => {
    const material = `${checkin.msn}|${checkin.merchantQrId}|${checkin.initiatedAt}|${checkin.customerToken}`;
    expect(sessionIdFor(checkin)).toBe(`s_${sha(material).slice(0, 32)}`);
    expect(sessionIdFor(checkin)).toMatch(/^s_[0-9a-f]{32}$/);
  });

  it('is deterministic and never contains the token', () => {
    expect(sessionIdFor({ ...checkin })).toBe(sessionIdFor(checkin));
    expect(sessionIdFor(checkin)).not.toContain(checkin.customerToken.slice(0, 8));
  });

  it('separates two scans in the same millisecond by their tokens, and differs per field', () => {
    const ids = new Set([
      sessionIdFor(checkin),
      sessionIdFor({ ...checkin, customerToken: `${checkin.customerToken}x` }),
      sessionIdFor({ ...checkin, msn: '123457' }),
      sessionIdFor({ ...checkin, merchantQrId: 'other' }),
      sessionIdFor({ ...checkin, initiatedAt: '2023-10-06T10:45:40.306Z' }),
    ]);
    expect(ids.size).toBe(5);
  });
});

describe('referenceFor', () => {
  const sessionId = sessionIdFor(checkin);

  it("is cg + the lane's 12-hex key + '-' + 24 hex of the session id, within the ePayment rule", () => {
    const ref = referenceFor('vend-oslo-1', sessionId);
    expect(ref).toBe(`cg${sha('vend-oslo-1').slice(0, 12)}-${sessionId.slice(2, 26)}`);
    expect(ref).toMatch(REFERENCE_PATTERN);
    expect(ref).toHaveLength(39);
  });

  it('differs per lane and per session, and is stable', () => {
    const other = sessionIdFor({ ...checkin, customerToken: 'another' });
    const refs = new Set([
      referenceFor('vend-oslo-1', sessionId),
      referenceFor('vend-oslo-2', sessionId),
      referenceFor('vend-oslo-1', other),
    ]);
    expect(refs.size).toBe(3);
    expect(referenceFor('vend-oslo-1', sessionId)).toBe(referenceFor('vend-oslo-1', sessionId));
  });

  it('rejects something that is not a session id without echoing it', () => {
    expect(() => referenceFor('lane', checkin.customerToken)).toThrow(SessionIdError);
    expect(() => referenceFor('lane', checkin.customerToken)).toThrow(
      'not a session id (expected s_ + 32 hex, got 64 characters)',
    );
  });
});

describe('idempotencyKey', () => {
  const sessionId = sessionIdFor(checkin);
  const ops = ['create', 'capture', 'cancel', 'refund'] as const;

  it.each(ops)('the %s key is at most 50 characters of [a-zA-Z0-9-]', (op) => {
    const key = idempotencyKey(sessionId, op);
    expect(key).toBe(`cg-${sessionId.slice(2)}-${op}`);
    expect(key).toMatch(IDEMPOTENCY_KEY_PATTERN);
    expect(key.length).toBeLessThanOrEqual(50);
  });

  it('is one key per (session, operation): stable across calls, distinct across ops and sessions', () => {
    const other = sessionIdFor({ ...checkin, initiatedAt: '2023-10-06T10:45:41.0000000Z' });
    const keys = [...ops.map((op) => idempotencyKey(sessionId, op)), idempotencyKey(other, 'create')];
    expect(new Set(keys).size).toBe(5);
    expect(idempotencyKey(sessionId, 'capture')).toBe(idempotencyKey(sessionId, 'capture'));
  });

  it('rejects an unknown operation', () => {
    expect(() => idempotencyKey(sessionId, 'approve' as never)).toThrow(
      'unknown idempotent operation: "approve"',
    );
  });
});

describe('laneMessageId and timerJobId', () => {
  const sessionId = sessionIdFor(checkin);

  it('derive ids from (sessionId, step) and (sessionId, timer, instant)', () => {
    expect(laneMessageId(sessionId, 'authorized')).toBe(`${sessionId}.authorized`);
    expect(laneMessageId(sessionId, 'paid')).not.toBe(laneMessageId(sessionId, 'completed'));
    expect(timerJobId(sessionId, 'poll', '2026-01-01T12:00:05.000Z')).toBe(
      `${sessionId}.timer.poll.1767268805000`,
    );
    expect(timerJobId(sessionId, 'poll', '2026-01-01T12:00:05.000Z')).not.toBe(
      timerJobId(sessionId, 'poll', '2026-01-01T12:00:07.000Z'),
    );
  });

  it('rejects a step outside [a-z0-9-]', () => {
    expect(() => laneMessageId(sessionId, 'Paid!')).toThrow('not a lane message step: "Paid!"');
  });
});
