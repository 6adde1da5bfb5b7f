// aws profile with the database down (architecture §4: "intake keeps accepting while the store is down"): a
// `serve` process on fauxqs (QUEUE=sqs) and a Postgres it can lose (STORE=postgres: PGlite over the wire,
// stopped mid-test). Check-ins and ePayment events need only SQS and the in-memory lanes, so they are still
// accepted, and readiness (SQS only) stays 200. What does need the store answers fast instead of hanging:
// an unparseable signed body cannot be kept in intake_dead_letters, so it gets 503 and Vipps retries it
// (vipps-protocol.md §1.5) until the store is back; the controller API answers 503 store_unavailable with
// Retry-After, so a controller knows to send the same request again.
import { randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { DeleteMessageCommand } from '@aws-sdk/client-sqs';
import jwt from 'jsonwebtoken';
import { checkinDedupKey, epaymentDedupKey } from '../../src/intake/dedup-keys';
import type { EpaymentEvent } from '../../src/intake/event-types';
import type { SqsQueueUrls } from '../../src/queue/sqs-setup';
import { parseEnvelope } from '../../src/queue/sqs-envelope';
import { referenceFor, sessionIdFor } from '../../src/sessions/ids';
import { startFauxqs, type Fauxqs } from '../queue/sqs-fauxqs';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process';
import { checkinPayload, signedRequest } from '../support/signed-request';
import { waitFor } from '../support/wait-for';
import { awsProfileEnv } from './support/aws-profile-env';
import { writeLanesFile } from './support/lanes-file';
import { startStoppablePglite, type StoppablePglite } from './support/stoppable-pglite';

const MSN = '123456';
const LANES = [
  { id: 'shop-1', fixedAmount: 4900 },
  { id: 'shop-2', fixedAmount: 1500 },
];
const SECRET = 'db-down-webhook-secret';
const JWT_SECRET = randomBytes(24).toString('hex');
// As behind a load balancer: Vipps signs the public URL, the request arrives on the local port.
const PUBLIC_URL = new URL('https://pay.example.com/webhooks/vipps');
const CHECKINS = 6;

interface Received {
  readonly group: string;
  readonly type: string;
  readonly dedupKey: string;
  readonly payload: Record<string, unknown>;
}

describe('aws profile: intake with the database down', () => {
  let fauxqs: Fauxqs;
  let queues: SqsQueueUrls;
  let db: StoppablePglite;
  let lanesDir: string;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    fauxqs = await startFauxqs();
    queues = await fauxqs.newQueues();
    db = await startStoppablePglite();
    const lanes = await writeLanesFile(MSN, LANES);
    lanesDir = lanes.dir;
    gateway = await startGatewayProcess(
      'serve',
      awsProfileEnv({
        queues,
        databaseUrl: db.url,
        lanesFile: lanes.file,
        // `serve` never calls Vipps: nothing listens here.
        vippsBaseUrl: 'http://127.0.0.1:9',
        publicWebhookUrl: PUBLIC_URL.href,
        webhookSecret: SECRET,
        // The PGlite socket server serves one connection at a time: a second one is reset.
        extra: { CONTROLLER_JWT_KEYS: `hs256:${JWT_SECRET}`, DATABASE_POOL_MAX: '1' },
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await gateway?.kill('SIGTERM');
    await db?.close();
    await fauxqs?.close();
    if (lanesDir) await rm(lanesDir, { recursive: true, force: true });
  });

  const post = (body: unknown): Promise<Response> => {
    const req = signedRequest({ url: PUBLIC_URL, secret: SECRET, body, date: new Date() });
    return fetch(new URL(req.path, gateway.url), {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      signal: AbortSignal.timeout(15_000),
    });
  };
  const controller = (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${gateway.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${jwt.sign({ lanes: '*' }, JWT_SECRET, { algorithm: 'HS256', expiresIn: '5m' })}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      // A store outage must not turn into a hang: the answer comes well within this.
      signal: AbortSignal.timeout(15_000),
    });
  const readyz = async (): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${gateway.url}/readyz`, { signal: AbortSignal.timeout(15_000) });
    return { status: res.status, body: await res.json() };
  };

  /** Receives (and deletes: nothing else consumes here) from the FIFO queue until `count` jobs came. */
  async function receiveJobs(count: number): Promise<Received[]> {
    const jobs: Received[] = [];
    await waitFor(
      async () => {
        // fauxqs hands out one message per group at a time: deleting frees the group's next one.
        for (const m of await fauxqs.peek(queues.intakeQueueUrl, 1)) {
          const envelope = parseEnvelope(m.Body);
          if (!envelope) throw new Error(`not a job envelope: ${m.Body ?? ''}`);
          expect(m.Attributes?.MessageGroupId).toBe(envelope.group);
          jobs.push({ ...envelope, payload: envelope.payload as Record<string, unknown> });
          await fauxqs.client.send(
            new DeleteMessageCommand({ QueueUrl: queues.intakeQueueUrl, ReceiptHandle: m.ReceiptHandle }),
          );
        }
        return jobs.length >= count;
      },
      { timeoutMs: 20_000, intervalMs: 1, what: `${count} jobs in the FIFO queue` },
    );
    return jobs;
  }

  it('accepts check-ins and ePayment events into SQS, stays ready, and refuses only what needs the store', async () => {
    // Up: the store answers (migrated at start), readiness checks SQS.
    expect(await readyz()).toEqual({
      status: 200,
      body: {
        status: 'ready',
        checks: { lanes: 'ok', queue: 'ok', channels: 'ok', webhookRegistrations: 'ok' },
      },
    });
    const up = await controller('GET', '/v1/lanes/shop-1');
    expect(up.status).toBe(200);

    await db.stop();

    const checkins = Array.from({ length: CHECKINS }, (_, i) =>
      checkinPayload({
        msn: MSN,
        merchantQrId: LANES[i % LANES.length]!.id,
        customerToken: `tok-${randomUUID()}`,
        initiatedAt: new Date().toISOString(),
      }),
    );
    const statuses = await Promise.all(
      checkins.map(async (c) => {
        const res = await post(c);
        return { status: res.status, body: (await res.json()) as unknown };
      }),
    );
    expect(statuses).toEqual(checkins.map(() => ({ status: 202, body: { status: 'accepted' } })));

    // An ePayment event is mapped by its reference, which carries the lane's key: no store lookup either.
    const first = checkins[0]!;
    const reference = referenceFor('shop-1', sessionIdFor(first));
    const payment: EpaymentEvent = {
      msn: MSN,
      reference,
      pspReference: 'psp-db-down-1',
      name: 'AUTHORIZED',
      amount: { currency: 'NOK', value: 4900 },
      timestamp: new Date().toISOString(),
      idempotencyKey: 'db-down-create',
      success: true,
    };
    const paymentRes = await post(payment);
    expect({ status: paymentRes.status, body: (await paymentRes.json()) as unknown }).toEqual({
      status: 202,
      body: { status: 'accepted' },
    });

    const jobs = await receiveJobs(CHECKINS + 1);
    const byKey = new Map(jobs.map((j) => [j.dedupKey, j]));
    expect(jobs).toHaveLength(CHECKINS + 1);
    for (const c of checkins) {
      const job = byKey.get(checkinDedupKey(c));
      expect(job).toMatchObject({
        type: 'checkin',
        group: c.merchantQrId,
        payload: { laneId: c.merchantQrId, customerToken: c.customerToken, initiatedAt: c.initiatedAt },
      });
    }
    expect(byKey.get(epaymentDedupKey(payment))).toMatchObject({
      type: 'epayment-event',
      group: 'shop-1',
      payload: { laneId: 'shop-1', event: { reference, name: 'AUTHORIZED' } },
    });

    // Still ready (200): a load balancer keeps routing Vipps to this instance. The body says the lane
    // channels cannot be judged while the outbox is unreadable.
    const outboxDown = expect.stringMatching(/^cannot read the outbox: connect ECONNREFUSED /);
    expect(await readyz()).toEqual({
      status: 200,
      body: {
        status: 'degraded',
        checks: {
          lanes: 'ok',
          queue: 'ok',
          channels: expect.stringMatching(/^degraded: cannot read the outbox/),
          webhookRegistrations: 'ok',
        },
        degraded: { channels: outboxDown },
      },
    });

    // Signed but unparseable: it must be kept in intake_dead_letters before a 2xx, so while the store is down
    // it is 503 and Vipps delivers it again later (never lost, never a 4xx retried for a week).
    const garbage = await post('{"not": "a vipps event"');
    expect(garbage.status).toBe(503);
    expect(garbage.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await garbage.json()).toEqual({
      type: 'https://checkin-gateway.dev/problems/store_unavailable',
      title: 'Temporarily unable to accept the event; retry later',
      status: 503,
      code: 'store_unavailable',
    });

    // The controller API reads and writes the store: a prompt 503 asking to retry, not a hang or a 500.
    const unavailable = {
      status: 503,
      retryAfter: '5',
      body: {
        type: 'https://checkin-gateway.dev/problems/store_unavailable',
        title: 'The store is unavailable; retry later',
        status: 503,
        code: 'store_unavailable',
      },
    };
    const answer = async (res: Response) => ({
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body: (await res.json()) as unknown,
    });
    expect(await answer(await controller('GET', '/v1/lanes/shop-1'))).toEqual(unavailable);
    const sale = await controller('POST', '/v1/lanes/shop-2/sale', {
      orderId: 'order-1',
      amount: 2500,
      currency: 'NOK',
      description: 'Groceries',
    });
    expect(await answer(sale)).toEqual(unavailable);

    // Back up: what needed the store works again without a restart.
    await db.start();
    const retried = await waitFor(
      async () => {
        const res = await post('{"not": "a vipps event"');
        return res.status === 503 ? undefined : res;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'the dead-letter write to work again' },
    );
    expect({ status: retried.status, body: (await retried.json()) as unknown }).toEqual({
      status: 200,
      body: { status: 'dropped', code: 'invalid_json' },
    });
    const back = await controller('GET', '/v1/lanes/shop-1');
    expect(back.status).toBe(200);

    // Store errors were logged, the customer tokens were not.
    const output = gateway.output.join('\n');
    expect(output).toContain('database connection error');
    expect(checkins.filter((c) => output.includes(c.customerToken))).toEqual([]);
  }, 90_000);
});
