// The dead-letter admin API on the real gateway (sandbox: embedded emulator, simulated machines): a customer
// scans a QR the lanes file does not know; the operator adds it to the lanes file, the gateway reloads, and
// the replay makes exactly one session and one payment at Vipps; replaying again does nothing again; a replay
// after the token expired pays nothing. Bad requests get exact answers and change nothing.
// One gateway for the file (a start costs seconds): each test scans its own new QR.
import { writeFile } from 'node:fs/promises';
import { referenceFor, sessionIdFor } from '../../src/sessions/ids';
import { lanesYaml, MSN, startE2e, type E2e, type LaneSpec } from '../e2e/harness';
import { OffsetClock } from '../support/offset-clock';
import { waitFor } from '../support/wait-for';

const lanes: LaneSpec[] = [{ id: 'vend-1', kind: 'vending', maxAmount: 2000 }];

let e2e: E2e;
const clock = new OffsetClock();
beforeAll(async () => {
  e2e = await startE2e({ lanes, start: { clock } });
}, 60_000);
afterAll(async () => {
  await e2e.close();
});

interface Letter {
  readonly id: string;
  readonly qr: { readonly merchantQrId: string } | null;
}

async function json(method: string, p: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await e2e.admin(p, {
    method,
    ...(body === undefined
      ? {}
      : {
          headers: { 'content-type': 'application/json' },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
  });
  return { status: res.status, body: await res.json() };
}

async function letters(query = ''): Promise<Letter[]> {
  return ((await json('GET', `/admin/v1/dead-letters${query}`)).body as { deadLetters: Letter[] })
    .deadLetters;
}

async function auditOf(target: string): Promise<string[][]> {
  const { body } = await json('GET', '/admin/v1/audit?limit=500');
  return (
    body as { entries: { operator: string; action: string; target: string; outcome: string }[] }
  ).entries
    .filter((a) => a.target === target)
    .map((a) => [a.operator, a.action, a.outcome]);
}

/**
 * A customer scans `qr`'s sticker, which is not in the lanes file: the gateway drops the check-in, kept as a
 * dead letter. Returns its id and the reference a payment for it would have.
 */
async function scanUnknownQr(qr: string): Promise<{ id: string; reference: string }> {
  const res = await e2e.control('POST', '/emulator/v1/scans', {
    msn: MSN,
    merchantQrId: qr,
    behavior: { action: 'approve' },
  });
  expect(res.status).toBe(201);
  const { customerToken, initiatedAt } = res.body as { customerToken: string; initiatedAt: string };
  const letter = await waitFor(async () => (await letters()).find((l) => l.qr?.merchantQrId === qr), {
    what: `the dropped check-in at ${qr} as a dead letter`,
  });
  const sessionId = sessionIdFor({ msn: MSN, merchantQrId: qr, initiatedAt, customerToken });
  return { id: letter.id, reference: referenceFor(qr, sessionId) };
}

async function addToLanesFile(id: string): Promise<void> {
  lanes.push({ id, kind: 'vending', maxAmount: 3000 });
  await writeFile(e2e.gateway.lanes.path, lanesYaml(lanes));
  expect(await e2e.gateway.lanes.reload()).toEqual({ ok: true, count: lanes.length });
}

async function paymentsOf(reference: string): Promise<unknown[]> {
  return (await e2e.payments()).filter((p) => p.reference === reference);
}

it('an unknown-QR check-in, replayed after the lanes file is fixed: one session, one payment; twice does nothing twice', async () => {
  const { id, reference } = await scanUnknownQr('vend-2');
  const listed = await json('GET', '/admin/v1/dead-letters?kind=intake');
  expect(listed.body).toMatchObject({
    deadLetters: [
      {
        id,
        kind: 'intake',
        reason: 'unknown_lane',
        laneId: null,
        qr: { msn: MSN, merchantQrId: 'vend-2' },
        state: 'open',
        replayableUntil: expect.any(String),
      },
    ],
    nextCursor: null,
    counts: { intake: 1, job: 0, 'lane-message': 0 },
  });

  await addToLanesFile('vend-2');
  expect(await json('POST', '/admin/v1/dead-letters/replay', { ids: [id] })).toEqual({
    status: 200,
    body: { results: [{ id, outcome: 'replayed', jobId: expect.any(String) }] },
  });
  await waitFor(
    async () => (await e2e.messages('vend-2')).find((m) => m.message.type === 'session.completed'),
    { timeoutMs: 15_000, what: 'the replayed session to complete' },
  );
  expect(await paymentsOf(reference)).toEqual([
    expect.objectContaining({ createCalls: 1, amount: expect.objectContaining({ value: 3000 }) }),
  ]);

  expect(await json('POST', '/admin/v1/dead-letters/replay', { ids: [id] })).toEqual({
    status: 200,
    body: {
      results: [{ id, outcome: 'already_replayed', resolvedAt: expect.any(String), resolvedBy: 'admin' }],
    },
  });
  await e2e.queueIdle();
  expect(await paymentsOf(reference)).toHaveLength(1);
  expect(await auditOf(id)).toEqual([
    ['admin', 'dead-letter.replay', 'already_replayed'],
    ['admin', 'dead-letter.replay', 'replayed'],
  ]);
});

/** checkin_dead_letters{kind="intake"} as /metrics shows it. */
async function intakeGauge(): Promise<number> {
  const text = await (await fetch(`${e2e.gateway.url}/metrics`)).text();
  return Number(/^checkin_dead_letters\{kind="intake"\} (\d+)$/m.exec(text)?.[1]);
}

it('discard hides the letter, and the gauge stops counting it; a discarded letter is never replayed', async () => {
  const { id, reference } = await scanUnknownQr('vend-3');
  const open = await intakeGauge();
  expect(open).toBeGreaterThanOrEqual(1);
  expect(await json('POST', '/admin/v1/dead-letters/discard', { ids: [id] })).toEqual({
    status: 200,
    body: { results: [{ id, outcome: 'discarded' }] },
  });
  expect((await letters()).map((l) => l.id)).not.toContain(id);
  expect((await letters('?state=discarded')).map((l) => l.id)).toEqual([id]);
  expect(await intakeGauge()).toBe(open - 1);
  await addToLanesFile('vend-3');
  expect((await json('POST', '/admin/v1/dead-letters/replay', { ids: [id] })).body).toMatchObject({
    results: [{ id, outcome: 'already_discarded' }],
  });
  await e2e.queueIdle();
  expect(await paymentsOf(reference)).toEqual([]);
  expect(await e2e.messages('vend-3')).toEqual([]);
});

describe('bad requests: exact answers, nothing done', () => {
  let id: string;
  let reference: string;
  beforeAll(async () => {
    ({ id, reference } = await scanUnknownQr('vend-4'));
    await addToLanesFile('vend-4');
  });
  afterEach(async () => {
    // Nothing was queued, paid or audited; the letter is still open.
    await e2e.queueIdle();
    expect(await paymentsOf(reference)).toEqual([]);
    expect(await auditOf(id)).toEqual([]);
    expect((await letters()).map((l) => l.id)).toContain(id);
  });

  it.each([
    ['not JSON', '{"ids": ['],
    ['no ids', {}],
    ['ids not a list', { ids: 'intake-1' }],
    ['an empty list', { ids: [] }],
    ['a number among the ids', { ids: ['intake-1', 7] }],
    ['another member', { ids: ['intake-1'], force: true }],
    ['101 ids', { ids: Array.from({ length: 101 }, (_, i) => `intake-${i + 1}`) }],
  ])('replay with %s ⇒ 400 invalid_body', async (_name, body) => {
    expect(await json('POST', '/admin/v1/dead-letters/replay', body)).toEqual({
      status: 400,
      body: {
        type: 'https://checkin-gateway.dev/problems/invalid_body',
        title: 'The request body is invalid',
        status: 400,
        code: 'invalid_body',
        detail:
          'the body must be {"ids": [...]}: 1 to 100 dead-letter ids (intake-N, job-N, job-sqs-ID, lane-message-ID)',
      },
    });
  });

  it('a malformed id ⇒ 400 invalid_dead_letter_id for the whole call', async () => {
    expect(await json('POST', '/admin/v1/dead-letters/replay', { ids: [id, '../etc'] })).toEqual({
      status: 400,
      body: {
        type: 'https://checkin-gateway.dev/problems/invalid_dead_letter_id',
        title: 'The request is invalid',
        status: 400,
        code: 'invalid_dead_letter_id',
        detail: 'not a dead-letter id: "../etc"',
      },
    });
  });

  it('unknown ids ⇒ 200 with not_found for each', async () => {
    expect(
      await json('POST', '/admin/v1/dead-letters/discard', { ids: ['intake-4242', 'job-4242'] }),
    ).toEqual({
      status: 200,
      body: {
        results: [
          { id: 'intake-4242', outcome: 'not_found' },
          { id: 'job-4242', outcome: 'not_found' },
        ],
      },
    });
  });

  it.each([
    ['kind=nope', 'kind must be one of intake, job, lane-message'],
    ['state=gone', 'state must be one of open, replayed, stale, discarded, all'],
    ['limit=0', 'limit must be an integer from 1 to 500'],
    ['since=yesterday', 'unknown parameter "since": use kind, lane, state, limit, cursor'],
  ])('GET ?%s ⇒ 400 invalid_query', async (query, detail) => {
    expect(await json('GET', `/admin/v1/dead-letters?${query}`)).toEqual({
      status: 400,
      body: {
        type: 'https://checkin-gateway.dev/problems/invalid_query',
        title: 'The request is invalid',
        status: 400,
        code: 'invalid_query',
        detail,
      },
    });
  });

  it('a cursor this gateway did not write ⇒ 400 invalid_cursor', async () => {
    expect(await json('GET', '/admin/v1/dead-letters?cursor=abc')).toMatchObject({
      status: 400,
      body: { code: 'invalid_cursor', detail: 'cursor is not a nextCursor this gateway returned' },
    });
  });

  it('without an operator token ⇒ 401 operator_token_required', async () => {
    const res = await fetch(`${e2e.gateway.adminUrl ?? ''}/admin/v1/dead-letters/replay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [id] }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'operator_token_required' });
  });
});

describe('outbox', () => {
  it('lists per lane and retries a lane; an unknown lane ⇒ 404 lane_not_found', async () => {
    expect((await json('GET', '/admin/v1/outbox?lane=vend-1')).body).toEqual({
      lanes: [
        {
          laneId: 'vend-1',
          pending: 0,
          oldestUndeliveredAt: null,
          oldestUndeliveredAgeS: null,
          attempts: 0,
          lastError: null,
          nextAttemptAt: null,
          failed: 0,
        },
      ],
    });
    expect(await json('POST', '/admin/v1/outbox/vend-1/retry')).toEqual({
      status: 200,
      body: { laneId: 'vend-1', outcome: 'ok', due: 0 },
    });
    expect(await json('POST', '/admin/v1/outbox/nope/retry')).toEqual({
      status: 404,
      body: {
        type: 'https://checkin-gateway.dev/problems/lane_not_found',
        title: 'No such lane',
        status: 404,
        code: 'lane_not_found',
        detail: 'lane nope is not in the lanes file and has no lane messages waiting',
      },
    });
    expect(await auditOf('vend-1')).toEqual([['admin', 'outbox.retry', 'ok']]);
  });
});

// Last: it moves the clock 15 minutes ahead.
it("after the token's 15 minutes: recorded stale, nothing queued, no payment", async () => {
  const { id, reference } = await scanUnknownQr('vend-5');
  await addToLanesFile('vend-5');
  clock.advance(15 * 60_000);
  expect(await json('POST', '/admin/v1/dead-letters/replay', { ids: [id] })).toEqual({
    status: 200,
    body: { results: [{ id, outcome: 'stale' }] },
  });
  await e2e.queueIdle();
  expect(await paymentsOf(reference)).toEqual([]);
  expect(await e2e.messages('vend-5')).toEqual([]);
  expect((await letters('?state=stale')).map((l) => l.id)).toEqual([id]);
});
