import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { FakeClock } from '../../src/clock';
import { backoffDelayMs } from '../../src/backoff';
import type { Delay } from '../../src/channels/backoff';
import { ChannelDeliveryError, type LaneMessage } from '../../src/channels/channel';
import { serializeLaneMessage } from '../../src/channels/lane-message-wire';
import { createLaneSerializer } from '../../src/channels/lane-serializer';
import { createWebhookChannel, type WebhookChannelOptions } from '../../src/channels/webhook-channel';
import { closedPortUrl, startReceiver, type Receiver, type Reply } from './webhook-receiver';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const policy = { baseMs: 100, maxMs: 1000 };
const random = () => 0.5;

function msg(id: string, laneId = 'shop-bergen-3'): LaneMessage {
  return {
    id,
    type: 'session.paid',
    laneId,
    sessionId: 'ses_1',
    at: '2026-01-01T12:00:00.000Z',
    data: { amount: { currency: 'NOK', value: 4900 } },
  };
}

/** Records the backoff it is asked for and returns at once, so retries need no real waiting. */
function recordingDelay(): { delays: number[]; delay: Delay } {
  const delays: number[] = [];
  return {
    delays,
    delay: async (ms, signal) => {
      delays.push(ms);
      if (signal?.aborted) throw signal.reason;
    },
  };
}

function channelTo(url: string, extra: Partial<WebhookChannelOptions> = {}) {
  return createWebhookChannel({
    url,
    secret,
    fetch: globalThis.fetch,
    // Standard Webhooks receivers check the timestamp against their real clock (5-minute tolerance).
    clock: new FakeClock(Date.now()),
    backoff: policy,
    random,
    maxAttempts: 3,
    ...extra,
  });
}

async function deliveryError(promise: Promise<unknown>): Promise<ChannelDeliveryError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChannelDeliveryError);
  return err as ChannelDeliveryError;
}

describe('webhook channel', () => {
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  const serve = async (respond: (i: number) => Reply | Promise<Reply>) => {
    receiver = await startReceiver((_req, i) => respond(i));
    return receiver;
  };

  it('POSTs the wire message signed so that standardwebhooks Webhook.verify accepts it', async () => {
    const r = await serve(() => ({ status: 204 }));
    const clock = new FakeClock(Date.now());
    await channelTo(r.url, { clock }).send(msg('ses_1:paid'));

    expect(r.received).toHaveLength(1);
    const [request] = r.received;
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['webhook-id']).toBe('ses_1:paid');
    expect(request?.headers['webhook-timestamp']).toBe(String(Math.floor(clock.now().getTime() / 1000)));
    expect(request?.body).toBe(serializeLaneMessage(msg('ses_1:paid')));
    const verified = new Webhook(secret).verify(
      request?.body ?? '',
      request?.headers as Record<string, string>,
    );
    expect(verified).toEqual(JSON.parse(serializeLaneMessage(msg('ses_1:paid'))));
    const otherSecret = `whsec_${randomBytes(32).toString('base64')}`;
    expect(() =>
      new Webhook(otherSecret).verify(request?.body ?? '', request?.headers as Record<string, string>),
    ).toThrow('No matching signature found');
  });

  it('retries after a 500 and resolves once the receiver accepts, with the same webhook-id', async () => {
    const r = await serve((i) => ({ status: i === 0 ? 500 : 200 }));
    const { delays, delay } = recordingDelay();
    await channelTo(r.url, { delay }).send(msg('ses_1:paid'));

    expect(r.received.map((x) => x.headers['webhook-id'])).toEqual(['ses_1:paid', 'ses_1:paid']);
    expect(delays).toEqual([backoffDelayMs(1, policy, random)]);
  });

  it('waits at least Retry-After (capped by maxMs) after a 429', async () => {
    const r = await serve((i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': '3' } } : { status: 200 },
    );
    const { delays, delay } = recordingDelay();
    await channelTo(r.url, { delay }).send(msg('ses_1:paid'));
    expect(delays).toEqual([policy.maxMs]);
  });

  it('gives up after maxAttempts 503s with a retryable webhook_unavailable error', async () => {
    const r = await serve(() => ({ status: 503 }));
    const { delays, delay } = recordingDelay();
    const err = await deliveryError(channelTo(r.url, { delay }).send(msg('ses_1:paid')));

    expect(err.code).toBe('webhook_unavailable');
    expect(err.retryable).toBe(true);
    expect(err.details).toEqual({
      laneId: 'shop-bergen-3',
      messageId: 'ses_1:paid',
      attempts: 3,
      status: 503,
    });
    expect(r.received).toHaveLength(3);
    expect(delays).toEqual([backoffDelayMs(1, policy, random), backoffDelayMs(2, policy, random)]);
  });

  it('does not retry a 400: webhook_rejected, not retryable, one request', async () => {
    const r = await serve(() => ({ status: 400 }));
    const err = await deliveryError(channelTo(r.url).send(msg('ses_1:paid')));
    expect(err.code).toBe('webhook_rejected');
    expect(err.retryable).toBe(false);
    expect(err.details.status).toBe(400);
    expect(err.message).toBe(`lane shop-bergen-3: ${r.url} refused ses_1:paid with HTTP 400; not retried`);
    expect(r.received).toHaveLength(1);
  });

  it('does not follow a redirect with a signed payload', async () => {
    const r = await serve(() => ({ status: 307, headers: { location: 'http://127.0.0.1:1/elsewhere' } }));
    const err = await deliveryError(channelTo(r.url).send(msg('ses_1:paid')));
    expect([err.code, err.retryable, err.details.status]).toEqual(['webhook_rejected', false, 307]);
  });

  it('treats a refused connection as retryable and names the network error', async () => {
    const { delay } = recordingDelay();
    const err = await deliveryError(channelTo(await closedPortUrl(), { delay }).send(msg('ses_1:paid')));
    expect(err.code).toBe('webhook_unavailable');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('network error (ECONNREFUSED)');
  });

  it('times out an attempt that gets no answer', async () => {
    const r = await serve(() => new Promise<Reply>(() => undefined));
    const err = await deliveryError(
      channelTo(r.url, { timeoutMs: 100, maxAttempts: 1 }).send(msg('ses_1:paid')),
    );
    expect(err.code).toBe('webhook_unavailable');
    expect(err.message).toContain('no answer within 100 ms');
  });

  it('keeps a lane in order: a retried message is delivered before the next one is sent', async () => {
    const r = await serve((i) => ({ status: i === 0 ? 500 : 200 }));
    const { delay } = recordingDelay();
    const channel = channelTo(r.url, { delay });
    await Promise.all(['m1', 'm2', 'm3'].map((id) => channel.send(msg(id))));

    expect(r.received.map((x) => x.headers['webhook-id'])).toEqual(['m1', 'm1', 'm2', 'm3']);
    expect(r.maxInFlight).toBe(1);
  });

  it('does not hold one lane behind another lane that is slow', async () => {
    let releaseA: () => void = () => undefined;
    const aAnswered = new Promise<Reply>((resolve) => {
      releaseA = () => resolve({ status: 200 });
    });
    receiver = await startReceiver((req) =>
      req.headers['webhook-id'] === 'a1' ? aAnswered : { status: 200 },
    );
    const serializer = createLaneSerializer();
    const laneA = channelTo(receiver.url, { serializer });
    const laneB = channelTo(receiver.url, { serializer });

    let aSettled = false;
    const sendA = laneA.send(msg('a1', 'lane-a')).finally(() => {
      aSettled = true;
    });
    await receiver.waitForRequests(1);
    await laneB.send(msg('b1', 'lane-b'));
    expect(aSettled).toBe(false);
    releaseA();
    await sendA;
    expect(receiver.received.map((x) => x.headers['webhook-id'])).toEqual(['a1', 'b1']);
  });

  it('stops retrying when the caller aborts, with a retryable channel_aborted error', async () => {
    const r = await serve(() => ({ status: 500 }));
    const controller = new AbortController();
    const abortingDelay: Delay = async (_ms, signal) => {
      controller.abort(new Error('worker stopping'));
      if (signal?.aborted) throw signal.reason;
    };
    const err = await deliveryError(
      channelTo(r.url, { delay: abortingDelay, maxAttempts: 5 }).send(msg('ses_1:paid'), controller.signal),
    );
    expect([err.code, err.retryable, err.details.attempts]).toEqual(['channel_aborted', true, 1]);
    expect(r.received).toHaveLength(1);
  });

  it('rejects a url that is not http(s)', () => {
    expect(() => channelTo('ftp://example.com/hook')).toThrow('the webhook channel url must be http(s)');
  });
});
