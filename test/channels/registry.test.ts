import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { FakeClock } from '../../src/clock';
import { ChannelConfigError, type LaneMessage } from '../../src/channels/channel';
import { createChannelFor, createChannelRegistry, type ChannelDeps } from '../../src/channels/registry';
import { createSqsClient } from '../../src/channels/sqs-client';
import { createLogger, silentLogger } from '../../src/log';
import type { ControllerChannel } from '../../src/lanes/lane';
import { startReceiver } from './webhook-receiver';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const message: LaneMessage = {
  id: 'ses_1:checked-in',
  type: 'session.checked-in',
  laneId: 'vend-oslo-1',
  sessionId: 'ses_1',
  at: '2026-01-01T12:00:00.000Z',
  data: {},
};

function capturingLogger() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
  });
  return { logger: createLogger({ stream }), lines };
}

function deps(overrides: Partial<ChannelDeps> = {}): ChannelDeps {
  return {
    fetch: globalThis.fetch,
    clock: new FakeClock(Date.now()),
    logger: silentLogger(),
    secrets: (name) => (name === 'LANE_HOOK_SECRET' ? secret : undefined),
    ...overrides,
  };
}

const lane = (controller: ControllerChannel) => ({ id: 'vend-oslo-1', controller });

describe('channel registry', () => {
  it('logs a message on a log lane at info as "lane message" with its fields', async () => {
    const { logger, lines } = capturingLogger();
    await createChannelRegistry(deps({ logger }))
      .channelFor(lane({ type: 'log' }))
      .send(message);
    await new Promise<void>((resolve) => logger.on('finish', resolve).end());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      message: 'lane message',
      messageId: 'ses_1:checked-in',
      type: 'session.checked-in',
      laneId: 'vend-oslo-1',
      sessionId: 'ses_1',
      at: '2026-01-01T12:00:00.000Z',
      v: 1,
      data: {},
    });
  });

  it('keeps one channel per lane config and builds a new one when the config changes', () => {
    const registry = createChannelRegistry(deps());
    const hook = { type: 'webhook', url: 'https://pos.example/hook', secretEnv: 'LANE_HOOK_SECRET' } as const;
    const first = registry.channelFor(lane(hook));
    expect(registry.channelFor(lane({ ...hook }))).toBe(first);
    expect(registry.channelFor(lane({ ...hook, url: 'https://pos.example/hook2' }))).not.toBe(first);
  });

  it('createChannelFor caches per deps object', () => {
    const d = deps();
    expect(createChannelFor(lane({ type: 'log' }), d)).toBe(createChannelFor(lane({ type: 'log' }), d));
    expect(createChannelFor(lane({ type: 'log' }), deps())).not.toBe(
      createChannelFor(lane({ type: 'log' }), d),
    );
  });

  it('delivers through a webhook lane using the secret its secretEnv names', async () => {
    const receiver = await startReceiver(() => ({ status: 200 }));
    try {
      await createChannelRegistry(deps())
        .channelFor(lane({ type: 'webhook', url: receiver.url, secretEnv: 'LANE_HOOK_SECRET' }))
        .send(message);
      expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual(['ses_1:checked-in']);
    } finally {
      await receiver.close();
    }
  });

  it('fails with webhook_secret_missing when the secret variable is unset', () => {
    expect(() =>
      createChannelRegistry(deps()).channelFor(
        lane({ type: 'webhook', url: 'https://pos.example/hook', secretEnv: 'OTHER_SECRET' }),
      ),
    ).toThrow(
      new ChannelConfigError(
        'webhook_secret_missing',
        'OTHER_SECRET is not set: the webhook channel needs its Standard Webhooks secret (whsec_…)',
      ),
    );
  });

  it('scrubs a webhook secret from log lines once a channel uses it', async () => {
    const { logger, lines } = capturingLogger();
    createChannelRegistry(deps({ logger })).channelFor(
      lane({ type: 'webhook', url: 'https://pos.example/hook', secretEnv: 'LANE_HOOK_SECRET' }),
    );
    logger.info(`oops ${secret}`);
    await new Promise<void>((resolve) => logger.on('finish', resolve).end());
    expect(lines[0]?.message).toBe('oops [redacted]');
  });

  it('needs an SQS client for an sqs lane', () => {
    const sqsLane = lane({ type: 'sqs', queueUrl: 'https://sqs.eu-north-1.amazonaws.com/1/controller.fifo' });
    expect(() => createChannelRegistry(deps()).channelFor(sqsLane)).toThrow(
      expect.objectContaining({ code: 'sqs_client_missing' }),
    );
    const client = createSqsClient({ region: 'eu-north-1' });
    expect(createChannelRegistry(deps({ sqsClient: client })).channelFor(sqsLane)).toHaveProperty('send');
    client.destroy();
  });
});
