// `checkin-gateway doctor` against the real emulator over HTTP: a healthy set-up (webhooks registered, QR
// codes synced) passes every check; each broken set-up fails its own check with the exact line, the checks
// that do not depend on it still run, and doctor itself changes nothing.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_WEBHOOK_EVENTS } from '../../src/vipps/webhook-events';
import { MSN, PUBLIC_URL, startCliHarness, type CliHarness } from './cli-harness';
import { startCredentialsProxy } from './doctor-credentials-proxy';

// The test's own fleet (the shipped lanes.yaml changes with the examples it shows).
const FLEET =
  "lanes:\n  - id: vend-oslo-1\n    kind: vending\n    msn: '123456'\n    description: Snack machine, Oslo S platform 1\n" +
  '    currency: NOK\n    maxAmount: 10000\n    controller: { type: simulated }\n' +
  "  - id: shop-bergen-3\n    kind: self-checkout\n    msn: '123456'\n    description: Self-checkout 3, Bergen store\n" +
  '    currency: NOK\n    fixedAmount: 4900\n    controller: { type: simulated }\n';

describe('checkin-gateway doctor', () => {
  let h: CliHarness;
  let dir: string;
  let fleet: string;
  beforeEach(async () => {
    h = await startCliHarness();
    dir = await mkdtemp(join(tmpdir(), 'cli-doctor-'));
    fleet = join(dir, 'fleet.yaml');
    await writeFile(fleet, FLEET);
    h.env['LANES_FILE'] = fleet;
  });
  afterEach(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function makeHealthy(lanesFile = fleet): Promise<void> {
    expect((await h.run(['webhooks', 'register', '--lanes', lanesFile])).code).toBe(0);
    expect((await h.run(['qr', 'sync', '--lanes', lanesFile])).code).toBe(0);
  }

  const okLines = (): string[] => [
    `ok   config: loads (VIPPS_ENV=sandbox, STORE=pglite, QUEUE=postgres, LANES_FILE=${fleet})`,
    `ok   lanes: 2 lanes (1 vending, 1 self-checkout) in ${fleet}`,
    'ok   channels: 2 lanes can reach their controllers (simulated)',
    `ok   vipps-token: the credentials obtain an access token from ${h.emulator.url} (valid 3600 s)`,
    `ok   webhooks: 1 MSN(s) have their check-in and ePayment registrations for ${PUBLIC_URL}`,
    "ok   qr: 2 lane(s) have a code with the file's description",
  ];

  it('passes every check on a healthy sandbox: one ok line each, exit 0', async () => {
    await makeHealthy();
    const r = await h.run(['doctor']);
    expect(r.err).toBe('');
    expect(r.out).toBe([...okLines(), 'doctor: all checks passed', ''].join('\n'));
    expect(r.code).toBe(0);
  });

  it('--json gives every check with its status', async () => {
    await makeHealthy();
    const r = await h.run(['doctor', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { ok: boolean; checks: { name: string; status: string }[] };
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['config', 'ok'],
      ['lanes', 'ok'],
      ['channels', 'ok'],
      ['vipps-token', 'ok'],
      ['webhooks', 'ok'],
      ['qr', 'ok'],
    ]);
  });

  it('bad configuration: FAIL config naming every variable; the lanes file is still checked', async () => {
    await makeHealthy();
    const r = await h.run(['doctor'], { env: { CHECKIN_MAX_AGE_S: 'soon', WORKER_CONCURRENCY: '0' } });
    expect(r.code).toBe(1);
    expect(r.out.split('\n')).toEqual([
      "FAIL config: 2 invalid or missing variables: fix them in the gateway's environment",
      expect.stringMatching(/^ {7}- CHECKIN_MAX_AGE_S is invalid: expected .*, got "soon"$/),
      expect.stringMatching(/^ {7}- WORKER_CONCURRENCY is invalid: expected .*, got "0"$/),
      okLines()[1],
      'skip channels: not run: needs a configuration that loads',
      'skip vipps-token: not run: needs a configuration that loads',
      'skip webhooks: not run: needs a configuration that loads',
      'skip qr: not run: needs a configuration that loads',
      'doctor: 1 of 6 checks failed',
      '',
    ]);
  });

  it('invalid lanes file: FAIL lanes with each problem; configuration and credentials still checked', async () => {
    await makeHealthy();
    const file = join(dir, 'lanes.yaml');
    await writeFile(
      file,
      "lanes:\n  - id: bad lane\n    kind: vending\n    msn: '123456'\n    description: X\n    currency: NOK\n",
    );
    const r = await h.run(['doctor', '--lanes', file]);
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^ok {3}config: loads/);
    expect(lines[1]).toMatch(new RegExp(`^FAIL lanes: ${file} is invalid \\(2 errors\\): fix the file$`));
    expect(lines.slice(2, 4)).toEqual([
      expect.stringMatching(/^ {7}- .*id.*/),
      expect.stringMatching(/^ {7}- .*maxAmount.*/),
    ]);
    expect(lines.slice(4)).toEqual([
      'skip channels: not run: needs a valid lanes file',
      okLines()[3],
      'skip webhooks: not run: needs a valid lanes file',
      'skip qr: not run: needs a valid lanes file',
      'doctor: 1 of 6 checks failed',
      '',
    ]);
  });

  describe('with a webhook-controller lane', () => {
    let file: string;
    beforeEach(async () => {
      file = join(dir, 'lanes.yaml');
      await writeFile(
        file,
        "lanes:\n  - id: vend-pos-1\n    kind: vending\n    msn: '123456'\n    description: POS machine\n" +
          '    currency: NOK\n    maxAmount: 5000\n' +
          '    controller: {type: webhook, url: https://pos.example.com/lanes, secretEnv: POS_WEBHOOK_SECRET}\n',
      );
      await makeHealthy(file);
    });

    it('unusable channel (secret unset): FAIL channels naming the lane, field and fix; the rest ok', async () => {
      const r = await h.run(['doctor', '--lanes', file]);
      expect(r.code).toBe(1);
      expect(r.out.split('\n')).toEqual([
        expect.stringMatching(/^ok {3}config: /),
        `ok   lanes: 1 lanes (1 vending, 0 self-checkout) in ${file}`,
        'FAIL channels: 1 of 1 lanes have a controller channel that cannot work: fix each below',
        '       - lane "vend-pos-1" (#1): controller.secretEnv: POS_WEBHOOK_SECRET is not set: the webhook channel ' +
          "needs its Standard Webhooks secret (whsec_…); set it in the environment of the gateway's worker (`work` or `all`)",
        okLines()[3],
        `ok   webhooks: 1 MSN(s) have their check-in and ePayment registrations for ${PUBLIC_URL}`,
        "ok   qr: 1 lane(s) have a code with the file's description",
        'doctor: 1 of 6 checks failed',
        '',
      ]);
    });

    it('passes once the secret is set, and never prints it', async () => {
      const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
      const r = await h.run(['doctor', '--lanes', file], { env: { POS_WEBHOOK_SECRET: secret } });
      expect(r.out).toContain('ok   channels: 1 lanes can reach their controllers (webhook)\n');
      expect(r.code).toBe(0);
      expect(r.out + r.err).not.toContain(secret);
    });
  });

  describe('Vipps credentials', () => {
    const RIGHT = 'the-right-client-secret';
    it('wrong client secret: FAIL vipps-token with Vipps\u2019s answer; webhooks and qr skipped, not failed twice', async () => {
      await makeHealthy();
      const proxy = await startCredentialsProxy(h.emulator.url, RIGHT);
      try {
        const wrong = await h.run(['doctor'], {
          env: { VIPPS_BASE_URL: proxy.url, VIPPS_CLIENT_SECRET: 'an-old-client-secret' },
        });
        expect(wrong.code).toBe(1);
        const lines = wrong.out.split('\n');
        expect(lines.slice(0, 3)).toEqual([
          expect.stringMatching(/^ok {3}config/),
          okLines()[1],
          okLines()[2],
        ]);
        expect(lines[3]).toMatch(
          new RegExp(
            `^FAIL vipps-token: no access token from ${proxy.url}: .*HTTP 401 invalid_client.*VIPPS_CLIENT_SECRET[^;]*$`,
          ),
        );
        expect(lines.slice(4)).toEqual([
          'skip webhooks: not run: needs Vipps credentials that obtain an access token',
          'skip qr: not run: needs Vipps credentials that obtain an access token',
          'doctor: 1 of 6 checks failed',
          '',
        ]);
        expect(wrong.out).not.toContain('an-old-client-secret');
        // One token request: the skipped checks did not each try again.
        expect(proxy.tokenRequests).toEqual([{ accepted: false }]);

        const right = await h.run(['doctor'], {
          env: { VIPPS_BASE_URL: proxy.url, VIPPS_CLIENT_SECRET: RIGHT },
        });
        expect(right.out).toContain(
          `ok   vipps-token: the credentials obtain an access token from ${proxy.url}`,
        );
        expect(right.code).toBe(0);
      } finally {
        await proxy.close();
      }
    });

    it('VIPPS_CREDENTIALS_FILE: one line per sales unit whose keys get no token, and per lane without a set', async () => {
      await makeHealthy();
      const proxy = await startCredentialsProxy(h.emulator.url, RIGHT);
      const file = join(dir, 'credentials.yaml');
      const unit = (msn: string, p: string): string =>
        `  "${msn}": { clientIdEnv: ${p}_ID, clientSecretEnv: ${p}_SECRET, subscriptionKeyEnv: ${p}_KEY }\n`;
      const keys = { A_ID: 'a-id', A_KEY: 'a-key', B_ID: 'b-id', B_KEY: 'b-key' };
      try {
        await writeFile(file, `salesUnits:\n${unit(MSN, 'A')}${unit('654321', 'B')}`);
        const env = { VIPPS_BASE_URL: proxy.url, VIPPS_CREDENTIALS_FILE: file, ...keys, A_SECRET: RIGHT };
        const r = await h.run(['doctor'], { env: { ...env, B_SECRET: 'a-stale-secret' } });
        expect(r.code).toBe(1);
        const lines = r.out.split('\n');
        expect(lines.slice(3, 5)).toEqual([
          `FAIL vipps-token: VIPPS_CREDENTIALS_FILE: 1 of 2 credential sets obtain no access token from ${proxy.url}; 0 lane(s) have no credential set`,
          expect.stringMatching(/^ {7}- salesUnits\.654321: .*HTTP 401 invalid_client/),
        ]);
        expect(r.out).not.toContain('a-stale-secret');
        expect(lines[5]).toBe('skip webhooks: not run: needs Vipps credentials that obtain an access token');

        const healthy = await h.run(['doctor'], { env: { ...env, B_SECRET: RIGHT } });
        expect(healthy.out).toContain(
          `ok   vipps-token: all 2 credential sets of VIPPS_CREDENTIALS_FILE obtain an access token from ${proxy.url}\n`,
        );
        expect(healthy.code).toBe(0);

        await writeFile(file, `salesUnits:\n${unit('654321', 'B')}`);
        const uncovered = await h.run(['doctor'], { env: { ...env, B_SECRET: RIGHT } });
        expect(uncovered.code).toBe(1);
        expect(uncovered.out).toContain(
          `FAIL vipps-token: VIPPS_CREDENTIALS_FILE: 0 of 1 credential sets obtain no access token from ${proxy.url}; 2 lane(s) have no credential set\n` +
            `       - lane "vend-oslo-1": MSN ${MSN} has no credentials in VIPPS_CREDENTIALS_FILE (${file})`,
        );
      } finally {
        await proxy.close();
      }
    });

    it('no Vipps answering (emulator down): FAIL vipps-token saying what to check', async () => {
      await h.close();
      const r = await h.run(['doctor']);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(
        /^FAIL vipps-token: no access token from http:\/\/127\.0\.0\.1:\d+: .*; is the emulator at VIPPS_BASE_URL running\?$/m,
      );
      h = await startCliHarness(); // afterEach closes it
    });
  });

  it('missing registration: FAIL webhooks naming the MSN and the command; doctor registers nothing', async () => {
    expect((await h.run(['qr', 'sync'])).code).toBe(0);
    const r = await h.run(['doctor']);
    expect(r.code).toBe(1);
    expect(r.out.split('\n')).toEqual([
      ...okLines().slice(0, 4),
      `FAIL webhooks: 1 of 1 MSNs miss a registration or events for ${PUBLIC_URL}`,
      `       - MSN ${MSN}: no checkin registration for ${PUBLIC_URL}: run \`checkin-gateway webhooks register --kind checkin --msn ${MSN}\``,
      `       - MSN ${MSN}: no epayment registration for ${PUBLIC_URL}: run \`checkin-gateway webhooks register --kind epayment --msn ${MSN}\``,
      okLines()[5],
      'doctor: 1 of 6 checks failed',
      '',
    ]);
    expect(await h.vipps.webhooks.list({ msn: MSN })).toEqual([]);
  });

  it('a registration lacking events, or one for another URL only, fails; another URL beside ours warns', async () => {
    await h.run(['qr', 'sync']);
    await h.vipps.webhooks.register({ msn: MSN, url: PUBLIC_URL, events: ['user.checked-in.v1'] });
    const lacking = await h.run(['doctor']);
    expect(lacking.code).toBe(1);
    expect(lacking.out).toContain(
      `       - MSN ${MSN}: no epayment registration for ${PUBLIC_URL}: run \`checkin-gateway webhooks register --kind epayment --msn ${MSN}\`\n`,
    );
    await h.vipps.webhooks.register({
      msn: MSN,
      url: PUBLIC_URL,
      events: DEFAULT_WEBHOOK_EVENTS.slice(1),
    });
    const other = await h.vipps.webhooks.register({
      msn: MSN,
      url: 'https://old.example.com/hook',
      events: ['epayments.payment.captured.v1'],
    });
    const r = await h.run(['doctor']);
    expect(r.out).toContain(
      `warn webhooks: every MSN delivers to ${PUBLIC_URL}; other registrations also receive events\n` +
        `       - MSN ${MSN}: ${other.id} delivers epayments.payment.captured.v1 to https://old.example.com/hook\n`,
    );
    expect(r.code).toBe(0);
  });

  it('QR codes out of sync: FAIL qr listing each lane; doctor changes no code', async () => {
    await makeHealthy();
    await h.vipps.qr.delete({ msn: MSN, merchantQrId: 'vend-oslo-1' });
    await h.vipps.qr.put({ msn: MSN, merchantQrId: 'shop-bergen-3', locationDescription: 'Old text' });
    const r = await h.run(['doctor']);
    expect(r.code).toBe(1);
    expect(r.out.split('\n')).toEqual([
      ...okLines().slice(0, 5),
      'FAIL qr: 1 lane(s) without a code, 1 with a stale description: run `checkin-gateway qr sync`',
      `       - vend-oslo-1: no code ${MSN}/vend-oslo-1`,
      '       - shop-bergen-3: Vipps says "Old text", the file "Self-checkout 3, Bergen store"',
      'doctor: 1 of 6 checks failed',
      '',
    ]);
    const codes = await h.vipps.qr.list({ msn: MSN });
    expect(codes.map((q) => [q.merchantQrId, q.locationDescription])).toEqual([
      ['shop-bergen-3', 'Old text'],
    ]);
  });

  it('a code no lane uses only warns', async () => {
    await makeHealthy();
    await h.vipps.qr.put({ msn: MSN, merchantQrId: 'stray-1', locationDescription: 'Old kiosk' });
    const r = await h.run(['doctor']);
    expect(r.out).toContain(
      'warn qr: 2 lane(s) in sync; 1 code(s) no lane uses (`checkin-gateway qr sync --prune` deletes them)\n' +
        `       - ${MSN}/stray-1: "Old kiosk"\n`,
    );
    expect(r.code).toBe(0);
  });

  it('doctor with an argument exits 2', async () => {
    const r = await h.run(['doctor', 'now']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^unexpected argument "now"\nUsage: checkin-gateway doctor/);
  });
});
