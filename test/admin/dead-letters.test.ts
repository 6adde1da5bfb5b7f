// Intake dead letters, end to end through the real webhook intake and the postgres queue: a dropped check-in
// becomes a letter, the operator fixes the lanes file and replays it into exactly one job; twice does nothing
// twice; a token past its 15 minutes is never replayed and is erased from the store.
import { DeadLetterQueryError } from '../../src/admin/dead-letters';
import {
  eraseExpiredDeadLetterTokens,
  startDeadLetterTokenSweep,
} from '../../src/admin/dead-letters-token-sweep';
import { silentLogger } from '../../src/log';
import { createLaneRegistry } from '../../src/lanes/registry';
import type { Database } from '../../src/store/sql';
import { lane } from '../intake/lanes-fixture';
import { useTestDatabase } from '../support/use-test-database';
import { waitFor } from '../support/wait-for';
import { checkinPayload } from '../support/signed-request';
import { deadLetterRig, type DeadLetterRig, fixedLanes } from './dead-letters-harness';

let db: Database;
let rig: DeadLetterRig;
useTestDatabase((d) => (db = d));
beforeEach(() => {
  rig = deadLetterRig(db);
});

const TOKEN = checkinPayload().customerToken;
const unknownQr = () => checkinPayload({ merchantQrId: 'new-qr' });

async function drop(body: object): Promise<void> {
  const res = await rig.h.send(rig.h.sign(body));
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ status: 'dropped' });
}

describe('intake drops become dead letters', () => {
  it('an unknown-QR check-in is listed with its reason, lane QR and replay deadline, never its token', async () => {
    await drop(unknownQr());
    const page = await rig.service.list();
    expect(page).toEqual({
      deadLetters: [
        {
          id: 'intake-1',
          kind: 'intake',
          at: '2026-01-01T12:00:00.000Z',
          reason: 'unknown_lane',
          detail: 'user.checked-in.v1 dropped: unknown_lane',
          laneId: null,
          eventType: 'user.checked-in.v1',
          qr: { msn: '123456', merchantQrId: 'new-qr' },
          attempts: null,
          state: 'open',
          resolvedAt: null,
          resolvedBy: null,
          // initiatedAt 11:59:50.123 + CHECKIN_MAX_AGE_S 120 (before the token's 15 min less 30 s)
          replayableUntil: '2026-01-01T12:01:50.123Z',
        },
      ],
      nextCursor: null,
    });
    expect(await rig.service.counts()).toEqual({ intake: 1, job: 0, 'lane-message': 0 });
    // The body is kept with the token erased; the token itself only in its own column, until it expires.
    const [row] = await rig.rawLetters();
    expect(row?.split(TOKEN)).toHaveLength(2);
    const { rows } = await db.query<{ body: string }>(
      "SELECT convert_from(raw_body, 'UTF8') AS body FROM intake_dead_letters",
    );
    expect(JSON.parse(rows[0]?.body ?? '')).toEqual({
      ...unknownQr(),
      customerToken: null,
      customerTokenErased: true,
    });
    expect(await rig.tokens()).toEqual([TOKEN]);
  });

  it('the same event dropped twice (a Vipps retry) is one letter', async () => {
    await drop(unknownQr());
    rig.h.clock.advance(1_000);
    await drop(unknownQr());
    expect((await rig.service.list()).deadLetters).toHaveLength(1);
  });

  it('a disabled lane keeps the token; a stale check-in keeps none', async () => {
    await drop(checkinPayload({ merchantQrId: 'lane-off' }));
    await drop(checkinPayload({ initiatedAt: '2026-01-01T11:50:00Z', customerToken: 'other-token' }));
    const letters = (await rig.service.list()).deadLetters;
    expect(letters.map((l) => [l.id, l.reason, l.laneId, l.replayableUntil !== null])).toEqual([
      ['intake-2', 'stale_checkin', 'lane-1', false],
      ['intake-1', 'lane_disabled', 'lane-off', true],
    ]);
    expect(await rig.tokens()).toEqual([TOKEN, null]);
  });

  it('a payment event of an unknown reference is a letter too, replayable once the reference resolves', async () => {
    const event = {
      msn: '123456',
      reference: 'lane-9-abcdef12',
      pspReference: 'psp-1',
      name: 'AUTHORIZED',
      amount: { currency: 'NOK', value: 4900 },
      timestamp: '2026-01-01T11:59:59.000Z',
      success: true,
    };
    await drop(event);
    const [letter] = (await rig.service.list()).deadLetters;
    expect(letter).toMatchObject({
      reason: 'unknown_reference',
      eventType: 'epayments.payment.authorized.v1',
      qr: null,
    });
    expect(await rig.service.replay(['intake-1'], 'ops')).toEqual([
      { id: 'intake-1', outcome: 'still_dropped', reason: 'unknown_reference' },
    ]);
    expect(await rig.jobs()).toEqual([]);
  });
});

describe('replay', () => {
  it('after the lanes file is fixed: exactly one check-in job with the token, the letter records who and when', async () => {
    await drop(unknownQr());
    expect(await rig.service.replay(['intake-1'], 'alice')).toEqual([
      { id: 'intake-1', outcome: 'still_dropped', reason: 'unknown_lane' },
    ]);
    expect(await rig.jobs()).toEqual([]);
    expect(await rig.tokens()).toEqual([TOKEN]);

    rig.setLanes(fixedLanes);
    rig.h.clock.advance(30_000);
    expect(await rig.service.replay(['intake-1'], 'alice')).toEqual([
      { id: 'intake-1', outcome: 'replayed', jobId: '1' },
    ]);
    const jobs = await rig.jobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      grp: 'lane-new',
      type: 'checkin',
      state: 'ready',
      payload: { laneId: 'lane-new', merchantQrId: 'new-qr', customerToken: TOKEN },
    });
    // The token now lives in the job only.
    expect(await rig.tokens()).toEqual([null]);
    expect((await rig.service.list()).deadLetters).toEqual([]);
    expect((await rig.service.list({ state: 'all' })).deadLetters[0]).toMatchObject({
      id: 'intake-1',
      laneId: 'lane-new',
      state: 'replayed',
      resolvedAt: '2026-01-01T12:00:30.000Z',
      resolvedBy: 'alice',
      replayableUntil: null,
    });

    // Twice does nothing twice: the exact answer, and still one job.
    rig.h.clock.advance(1_000);
    expect(await rig.service.replay(['intake-1'], 'bob')).toEqual([
      {
        id: 'intake-1',
        outcome: 'already_replayed',
        resolvedAt: '2026-01-01T12:00:30.000Z',
        resolvedBy: 'alice',
      },
    ]);
    expect(await rig.jobs()).toHaveLength(1);
    expect(await rig.audits()).toEqual([
      { operator: 'alice', action: 'dead-letter.replay', target: 'intake-1', outcome: 'still_dropped' },
      { operator: 'alice', action: 'dead-letter.replay', target: 'intake-1', outcome: 'replayed' },
      { operator: 'bob', action: 'dead-letter.replay', target: 'intake-1', outcome: 'already_replayed' },
    ]);
  });

  it('an event already queued by a live delivery is a duplicate: the letter is resolved, nothing new queued', async () => {
    await drop(checkinPayload({ merchantQrId: 'lane-off' }));
    // The same check-in reaches the queue another way (a Vipps retry after the lane was enabled).
    rig.setLanes(createLaneRegistry([lane({ id: 'lane-off', msn: '123456', merchantQrId: 'lane-off' })]));
    const live = await rig.h.send(rig.h.sign(checkinPayload({ merchantQrId: 'lane-off' })));
    expect(live.status).toBe(202);
    expect(await rig.service.replay(['intake-1'], 'alice')).toEqual([
      { id: 'intake-1', outcome: 'duplicate', jobId: '1' },
    ]);
    expect(await rig.jobs()).toHaveLength(1);
  });

  it('after the token expired: recorded stale, nothing queued, the token erased', async () => {
    await drop(unknownQr());
    rig.setLanes(fixedLanes);
    rig.h.clock.advance(15 * 60_000);
    expect(await rig.service.replay(['intake-1'], 'alice')).toEqual([{ id: 'intake-1', outcome: 'stale' }]);
    expect(await rig.jobs()).toEqual([]);
    expect(await rig.tokens()).toEqual([null]);
    expect((await rig.service.list({ state: 'stale' })).deadLetters.map((l) => l.id)).toEqual(['intake-1']);
    expect(await rig.service.replay(['intake-1'], 'alice')).toEqual([
      {
        id: 'intake-1',
        outcome: 'already_stale',
        resolvedAt: '2026-01-01T12:15:00.000Z',
        resolvedBy: 'alice',
      },
    ]);
  });

  it("past CHECKIN_MAX_AGE_S but inside the token's life: intake's own cutoff makes it stale, nothing queued", async () => {
    await drop(unknownQr());
    rig.setLanes(fixedLanes);
    rig.h.clock.advance(5 * 60_000);
    expect(await rig.service.replay(['intake-1'], 'alice')).toEqual([{ id: 'intake-1', outcome: 'stale' }]);
    expect(await rig.jobs()).toEqual([]);
  });

  it('a signed body intake could not parse is not replayable', async () => {
    const res = await rig.h.send(rig.h.sign('{"not": "a vipps event"}'));
    expect(res.body).toEqual({ status: 'dropped', code: 'unknown_shape' });
    expect(await rig.service.replay(['intake-1'], 'alice')).toEqual([
      { id: 'intake-1', outcome: 'not_replayable' },
    ]);
    // Kept at the database's own now() (far from this test's clock): discarding it still hides it.
    expect(await rig.service.discard(['intake-1'], 'alice')).toEqual([
      { id: 'intake-1', outcome: 'discarded' },
    ]);
    expect((await rig.service.list()).deadLetters).toEqual([]);
    expect(await rig.service.counts()).toEqual({ intake: 0, job: 0, 'lane-message': 0 });
  });

  it('unknown ids are not_found; a malformed id refuses the whole call and does nothing', async () => {
    await drop(unknownQr());
    rig.setLanes(fixedLanes);
    expect(await rig.service.replay(['intake-99', 'job-5', 'lane-message-s_x.paid'], 'alice')).toEqual([
      { id: 'intake-99', outcome: 'not_found' },
      { id: 'job-5', outcome: 'not_found' },
      { id: 'lane-message-s_x.paid', outcome: 'not_found' },
    ]);
    await expect(rig.service.replay(['intake-1', 'drop table'], 'alice')).rejects.toThrow(
      new DeadLetterQueryError('invalid_dead_letter_id', 'not a dead-letter id: "drop table"'),
    );
    expect(await rig.jobs()).toEqual([]);
    expect((await rig.service.list()).deadLetters.map((l) => l.state)).toEqual(['open']);
  });
});

describe('discard', () => {
  it('hides the letter from the default list, keeps it for the record, erases its token; once only', async () => {
    await drop(unknownQr());
    expect(await rig.service.discard(['intake-1'], 'carol')).toEqual([
      { id: 'intake-1', outcome: 'discarded' },
    ]);
    expect((await rig.service.list()).deadLetters).toEqual([]);
    expect(await rig.service.counts()).toEqual({ intake: 0, job: 0, 'lane-message': 0 });
    expect((await rig.service.list({ state: 'discarded' })).deadLetters[0]).toMatchObject({
      id: 'intake-1',
      state: 'discarded',
      resolvedBy: 'carol',
    });
    expect(await rig.tokens()).toEqual([null]);
    const again = { id: 'intake-1', resolvedAt: '2026-01-01T12:00:00.000Z', resolvedBy: 'carol' };
    expect(await rig.service.discard(['intake-1'], 'carol')).toEqual([
      { ...again, outcome: 'already_discarded' },
    ]);
    rig.setLanes(fixedLanes);
    expect(await rig.service.replay(['intake-1'], 'carol')).toEqual([
      { ...again, outcome: 'already_discarded' },
    ]);
    expect(await rig.jobs()).toEqual([]);
    expect((await rig.audits()).map((a) => a.outcome)).toEqual([
      'discarded',
      'already_discarded',
      'already_discarded',
    ]);
  });
});

describe('the customer token is kept only while it can pay', () => {
  it('the sweep erases it once expired (15 min after the check-in), not before', async () => {
    await drop(unknownQr());
    // initiatedAt 11:59:50.123 + 15 min = 12:14:50.123
    expect(await eraseExpiredDeadLetterTokens(db, new Date('2026-01-01T12:14:50.122Z'))).toBe(0);
    expect(await rig.tokens()).toEqual([TOKEN]);
    expect(await eraseExpiredDeadLetterTokens(db, new Date('2026-01-01T12:14:50.123Z'))).toBe(1);
    expect(await rig.tokens()).toEqual([null]);
    expect((await rig.rawLetters()).join()).not.toContain(TOKEN);
  });

  it('the running sweep erases it on its own once expired', async () => {
    await drop(unknownQr());
    const sweep = startDeadLetterTokenSweep({
      db,
      clock: rig.h.clock,
      logger: silentLogger(),
      intervalMs: 10,
    });
    try {
      rig.h.clock.advance(15 * 60_000);
      await waitFor(async () => (await rig.tokens())[0] === null, { what: 'the sweep to erase the token' });
    } finally {
      sweep.stop();
    }
  });

  it('listing sweeps too: an expired letter shows no replay deadline and holds no token', async () => {
    await drop(unknownQr());
    rig.h.clock.advance(16 * 60_000);
    const [letter] = (await rig.service.list()).deadLetters;
    expect(letter).toMatchObject({ id: 'intake-1', state: 'open', replayableUntil: null });
    expect(await rig.tokens()).toEqual([null]);
  });
});

describe('list', () => {
  it('pages newest first with a cursor, filters by lane and kind, refuses a forged cursor', async () => {
    for (let i = 0; i < 5; i++) {
      await drop(checkinPayload({ merchantQrId: 'lane-off', customerToken: `token-${i}` }));
      if (i % 2 === 0) rig.h.clock.advance(1_000);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await rig.service.list({ limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.deadLetters.map((l) => l.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(['intake-5', 'intake-4', 'intake-3', 'intake-2', 'intake-1']);
    expect((await rig.service.list({ laneId: 'lane-1' })).deadLetters).toEqual([]);
    expect((await rig.service.list({ laneId: 'lane-off', kind: 'intake' })).deadLetters).toHaveLength(5);
    expect((await rig.service.list({ kind: 'job' })).deadLetters).toEqual([]);
    await expect(rig.service.list({ cursor: 'bm9wZQ' })).rejects.toThrow(DeadLetterQueryError);
  });
});
