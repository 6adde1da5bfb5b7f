// The lane-start job (issue 16): what the queue carries for a session started by pairing, that a personal QR in
// it is erased from a dead letter exactly as a check-in's token, and that such an erased start never pays.
import { eraseCustomerToken } from '../../src/queue/erase-customer-token';
import type { Job } from '../../src/queue/queue';
import { referenceFor, sessionIdForAttempt } from '../../src/sessions/ids';
import { jobInput, laneStartJob } from '../../src/sessions/job-inputs';
import { step } from '../../src/sessions/machine';
import type { Lane } from '../../src/lanes/lane';

const lane: Lane = {
  id: 'vend-scan',
  kind: 'vending',
  msn: '123456',
  merchantQrId: 'vend-scan',
  description: 'Scanner machine',
  currency: 'NOK',
  maxAmount: 5000,
  enabled: true,
  controller: { type: 'log' },
  pairings: ['personal-qr', 'screen-qr'],
};
const sessionId = sessionIdForAttempt('vend-scan', 'a-1');
const start = {
  sessionId,
  laneId: 'vend-scan',
  attemptId: 'a-1',
  pairing: 'personal-qr' as const,
  requestedAt: '2026-01-01T12:00:00.000Z',
  personalQr: 'emulator-personal-qr:c_0123456789abcdef',
};
const asJob = (payload: unknown): Job =>
  ({ id: 'j1', group: 'vend-scan', type: 'lane-start', payload, attempt: 1 }) as unknown as Job;

describe('lane-start job', () => {
  it('is deduplicated per session and carries the personal QR as customerToken', () => {
    const job = laneStartJob(start);
    expect(job).toEqual({
      group: 'vend-scan',
      type: 'lane-start',
      dedupKey: `lane-start:${sessionId}`,
      payload: {
        sessionId,
        laneId: 'vend-scan',
        attemptId: 'a-1',
        pairing: 'personal-qr',
        requestedAt: start.requestedAt,
        customerToken: start.personalQr,
      },
    });
    expect(jobInput(asJob(job.payload))).toEqual({
      laneId: 'vend-scan',
      input: { type: 'lane-start', ...start },
    });
  });

  it('a dead letter keeps no personal QR, and replayed it is dropped as stale: no payment', () => {
    const erased = eraseCustomerToken(laneStartJob(start).payload);
    expect(JSON.stringify(erased)).not.toContain(start.personalQr);
    const { input } = jobInput(asJob(erased));
    expect(input).not.toHaveProperty('personalQr');
    const result = step(
      { lane, session: null, activeSession: null, openSale: null },
      input,
      new Date(start.requestedAt),
    );
    expect(result.session).toMatchObject({ state: 'dropped', reason: 'stale', customerToken: null });
    expect(result.effects.map((e) => e.type)).not.toContain('create-payment');
  });

  it('a screen start creates a QR payment: userFlow QR with the default SVG, no customer', () => {
    const { personalQr: _scanned, ...rest } = start;
    const { input } = jobInput(asJob(laneStartJob({ ...rest, pairing: 'screen-qr' }).payload));
    const result = step(
      { lane, session: null, activeSession: null, openSale: null },
      input,
      new Date(start.requestedAt),
    );
    const create = result.effects.find((e) => e.type === 'create-payment');
    expect(create).toEqual({
      type: 'create-payment',
      sessionId,
      laneId: 'vend-scan',
      msn: '123456',
      reference: referenceFor('vend-scan', sessionId),
      idempotencyKey: `cg-${sessionId.slice(2)}-create`,
      amount: { currency: 'NOK', value: 5000 },
      flow: { userFlow: 'QR', qrFormat: { format: 'IMAGE/SVG+XML' } },
      description: 'Scanner machine',
    });
  });
});
