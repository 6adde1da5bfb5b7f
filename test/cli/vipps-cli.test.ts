// What the Vipps operator commands share: config without webhook secrets, MSN resolution, the command list.
import { runCli } from '../../src/cli';
import type { Io } from '../../src/cli/command';
import { openVippsCli, resolveWebhookMsn } from '../../src/cli/vipps-cli';
import { eventsFromOption } from '../../src/cli/webhooks-events';
import { DEFAULT_WEBHOOK_EVENTS } from '../../src/vipps/webhook-events';
import { SHIPPED_LANES } from './cli-harness';

const io = (env: Record<string, string>): Io & { lines: string[] } => {
  const lines: string[] = [];
  return { out: (t) => lines.push(t), err: (t) => lines.push(t), env, lines };
};

describe('Vipps operator CLI plumbing', () => {
  it('runs against VIPPS_ENV=test before any webhook secret exists (register is how the first one is obtained)', () => {
    const { config, client } = openVippsCli(
      io({
        VIPPS_ENV: 'test',
        VIPPS_CLIENT_ID: 'client-id',
        VIPPS_CLIENT_SECRET: 'client-secret',
        VIPPS_SUBSCRIPTION_KEY: 'sub-key',
        PUBLIC_WEBHOOK_URL: 'https://gateway.example.com/webhooks/vipps',
      }),
    );
    expect(config.webhookSecrets).toEqual([]);
    expect(config.vipps.baseUrl).toBe('https://apitest.vipps.no');
    expect(typeof client.webhooks.register).toBe('function');
  });

  it('still refuses VIPPS_ENV=test without credentials, naming the variable', () => {
    expect(() =>
      openVippsCli(io({ VIPPS_ENV: 'test', PUBLIC_WEBHOOK_URL: 'https://g.example.com/w' })),
    ).toThrow('VIPPS_CLIENT_ID is required: expected the client id for VIPPS_ENV=test');
  });

  it('takes the MSN from --msn, else from a lanes file with a single MSN', async () => {
    const { config } = openVippsCli(io({ LANES_FILE: SHIPPED_LANES }));
    await expect(resolveWebhookMsn(config, {})).resolves.toBe('123456');
    await expect(resolveWebhookMsn(config, { msn: '7654321' })).resolves.toBe('7654321');
    await expect(resolveWebhookMsn(config, { lanes: '/nonexistent/lanes.yaml' })).rejects.toThrow(
      /^pass --msn, or fix the lanes file: lanes file \/nonexistent\/lanes\.yaml cannot be read/,
    );
  });

  it('splits and deduplicates --events, defaulting to check-ins plus the eight ePayment events', () => {
    expect(eventsFromOption(undefined)).toBe(DEFAULT_WEBHOOK_EVENTS);
    expect(eventsFromOption(['a,b', ' b ', 'c,'])).toEqual(['a', 'b', 'c']);
    expect(DEFAULT_WEBHOOK_EVENTS).toEqual([
      'user.checked-in.v1',
      'epayments.payment.created.v1',
      'epayments.payment.aborted.v1',
      'epayments.payment.expired.v1',
      'epayments.payment.cancelled.v1',
      'epayments.payment.captured.v1',
      'epayments.payment.refunded.v1',
      'epayments.payment.authorized.v1',
      'epayments.payment.terminated.v1',
    ]);
  });

  it('lists the webhooks and qr commands in the top-level help', async () => {
    const help = io({});
    expect(await runCli(['--help'], help)).toBe(0);
    for (const name of [
      'webhooks register',
      'webhooks list',
      'webhooks delete',
      'webhooks rotate',
      'qr sync',
      'qr list',
      'qr download',
    ])
      expect(help.lines.join('\n')).toContain(`  ${name} `);
  });
});
