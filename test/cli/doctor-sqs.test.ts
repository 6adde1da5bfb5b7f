// `doctor`'s channels check in the aws profile (QUEUE=sqs) against fauxqs: as at the worker's start, each sqs
// lane's queue is asked whether it exists, and an sqs lane without an SQS client (QUEUE=postgres) is named.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../src/channels/sqs-client';
import { startCliHarness, type CliHarness } from './cli-harness';

interface Fauxqs {
  listen(options: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
  server: { address(): AddressInfo | string | null };
}

interface Report {
  readonly checks: { name: string; status: string; detail: string; problems?: string[] }[];
}

const lane = (id: string, queueUrl: string): string =>
  `  - id: ${id}\n    kind: vending\n    msn: '123456'\n    description: ${id}\n    currency: NOK\n` +
  `    maxAmount: 1000\n    controller: { type: sqs, queueUrl: "${queueUrl}" }\n`;

describe('checkin-gateway doctor: sqs controller channels', () => {
  let app: Fauxqs;
  let sqs: SQSClient;
  let endpoint: string;
  let h: CliHarness;
  let dir: string;
  const saved = { id: process.env['AWS_ACCESS_KEY_ID'], secret: process.env['AWS_SECRET_ACCESS_KEY'] };

  beforeAll(async () => {
    // The SDK's credential chain reads the process environment, not the command's: fauxqs checks nothing.
    process.env['AWS_ACCESS_KEY_ID'] = 'test';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'test';
    const { buildApp } = await import('fauxqs');
    app = buildApp({ logger: false } as never) as unknown as Fauxqs;
    await app.listen({ port: 0, host: '127.0.0.1' });
    endpoint = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    sqs = createSqsClient({
      region: 'eu-north-1',
      endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    h = await startCliHarness();
    dir = await mkdtemp(join(tmpdir(), 'cli-doctor-sqs-'));
  });
  afterAll(async () => {
    sqs.destroy();
    await app.close();
    await h.close();
    await rm(dir, { recursive: true, force: true });
    for (const [name, value] of [
      ['AWS_ACCESS_KEY_ID', saved.id],
      ['AWS_SECRET_ACCESS_KEY', saved.secret],
    ] as const)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  });

  async function queue(name: string, fifo: boolean): Promise<string> {
    const created = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: fifo ? { FifoQueue: 'true' } : {} }),
    );
    return created.QueueUrl ?? '';
  }

  async function channelsCheck(env: Record<string, string>, file: string): Promise<Report['checks'][number]> {
    const r = await h.run(['doctor', '--json', '--lanes', file], { env });
    const report = JSON.parse(r.out) as Report;
    return report.checks.find((c) => c.name === 'channels')!;
  }

  it('QUEUE=sqs: a lane whose queue does not exist fails, naming the lane; an existing queue passes', async () => {
    const env = {
      QUEUE: 'sqs',
      SQS_INTAKE_QUEUE_URL: await queue('intake.fifo', true),
      SQS_DLQ_URL: await queue('intake-dlq.fifo', true),
      SQS_TIMER_QUEUE_URL: await queue('timers', false),
      AWS_REGION: 'eu-north-1',
      AWS_ENDPOINT_URL_SQS: endpoint,
    };
    const present = await queue('lane-events.fifo', true);
    const gone = present.replace('lane-events.fifo', 'gone.fifo');
    const file = join(dir, 'lanes.yaml');
    await writeFile(file, `lanes:\n${lane('vend-here', present)}${lane('vend-gone', gone)}`);
    expect(await channelsCheck(env, file)).toEqual({
      name: 'channels',
      status: 'fail',
      detail: '1 of 2 lanes have a controller channel that cannot work: fix each below',
      problems: [
        'lane "vend-gone" (#2): controller.queueUrl: no such queue in this account and region: create it (FIFO) or fix the URL',
      ],
    });
    await writeFile(file, `lanes:\n${lane('vend-here', present)}`);
    expect(await channelsCheck(env, file)).toEqual({
      name: 'channels',
      status: 'ok',
      detail: '1 lanes can reach their controllers (sqs)',
    });
  });

  it('QUEUE=postgres: an sqs lane has no client to send with; the fix is named', async () => {
    const file = join(dir, 'postgres-lanes.yaml');
    await writeFile(file, `lanes:\n${lane('vend-sqs', await queue('other.fifo', true))}`);
    const check = await channelsCheck({}, file);
    expect(check.status).toBe('fail');
    expect(check.problems).toEqual([
      expect.stringMatching(
        /^lane "vend-sqs" \(#1\): controller\.type: .*; run the worker with QUEUE=sqs, or give the lane a webhook controller$/,
      ),
    ]);
  });
});
