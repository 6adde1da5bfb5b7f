// 5080 (PUSH_MESSAGE not allowed) end to end (issue 15): the check-in's push is refused, the session ends
// failed with reason push-not-allowed, and the operator is told: an error line with the MSN and the fix, the
// checkin_vipps_operator_action_total metric, and at the next start one line naming the lane.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/log';
import { MSN, startE2e } from './harness';

function capture(): { logger: ReturnType<typeof createLogger>; lines: () => Record<string, unknown>[] } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  return {
    logger: createLogger({ level: 'error', stream }),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const FIX =
  'the sales unit is not approved to skip the landing page (userFlow PUSH_MESSAGE), which every check-in ' +
  'payment uses: ask Vipps MobilePay to enable it for this MSN; until then every check-in on its lanes fails';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'cg-5080-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

it('ends the session push-not-allowed, alerts the operator, and names the lane at the next start', async () => {
  const lanes = [{ id: 'vend-5080', kind: 'vending' as const, maxAmount: 5000 }];
  const first = capture();
  const e2e = await startE2e({ lanes, dataDir, start: { logger: first.logger } });
  try {
    const fault = await e2e.control('POST', '/emulator/v1/faults', {
      operation: 'create',
      errorCode: '5080',
    });
    expect(fault.status).toBeLessThan(300);
    const s = await e2e.scan('vend-5080');
    const final = await e2e.final(s);
    expect(final).toMatchObject({ type: 'session.failed', data: { reason: 'push-not-allowed' } });
    expect(await e2e.payment(s.reference)).toBeUndefined();

    const alert = first.lines().filter((l) => l['message'] === 'Vipps refuses until an operator acts');
    expect(alert).toHaveLength(1);
    expect(alert[0]).toMatchObject({
      level: 'error',
      operation: 'epayment.create',
      msn: MSN,
      code: '5080',
      title: 'PUSH_MESSAGE not allowed',
      fix: FIX,
    });
    const metrics = await (await fetch(`${e2e.gateway.url}/metrics`)).text();
    expect(metrics).toContain(
      'checkin_vipps_operator_action_total{operation="epayment.create",code="5080"} 1',
    );
  } finally {
    await e2e.close();
  }

  const second = capture();
  const again = await startE2e({ lanes, dataDir, start: { logger: second.logger } });
  try {
    const atStart = second
      .lines()
      .filter(
        (l) => l['message'] === 'lane cannot take payments: its last check-in was refused with Vipps 5080',
      );
    expect(atStart).toHaveLength(1);
    expect(atStart[0]).toMatchObject({ level: 'error', laneId: 'vend-5080', msn: MSN, fix: FIX });
  } finally {
    await again.close();
  }
}, 120_000);
