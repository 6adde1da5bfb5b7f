// Credentials per sales unit (issue 15): the VIPPS_CREDENTIALS_FILE reader, the client choosing a credential
// set (and its token cache) by each call's MSN against the real emulator over HTTP, and lanes without
// credentials refused by `lanes check` and by the start.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../src/clock';
import { ConfigError, loadConfig } from '../../src/config';
import { createEmulator } from '../../src/emulator/emulator';
import { checkLanesFile } from '../../src/lanes/check-command';
import { silentLogger } from '../../src/log';
import { startGateway } from '../../src/main';
import { createVippsClient } from '../../src/vipps/client';
import { CredentialsFileError, LaneCredentialsError, loadCredentialsFile } from '../../src/vipps/credentials';
import { VippsInvalidRequestError } from '../../src/vipps/errors';
import { loadSandboxConfig } from '../support/sandbox-config';

const MSN_A = '123456';
const MSN_B = '234567';
const MSN_C = '345678';
const env = {
  A_ID: 'client-a',
  A_SECRET: 'secret-a-9f1c',
  A_KEY: 'subkey-a-77d2',
  B_ID: 'client-b',
  B_KEY: 'subkey-b-41e0',
};

let dir: string;
let secretFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credentials-'));
  secretFile = join(dir, 'b-secret');
  // As a Docker/Kubernetes secret: the trailing newline is not part of the value.
  await writeFile(secretFile, 'secret-b-0b3a\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const twoUnits = (): string =>
  [
    'salesUnits:',
    `  "${MSN_A}":`,
    '    clientIdEnv: A_ID',
    '    clientSecretEnv: A_SECRET',
    '    subscriptionKeyEnv: A_KEY',
    `  "${MSN_B}":`,
    '    clientIdEnv: B_ID',
    `    clientSecretFile: ${secretFile}`,
    '    subscriptionKeyEnv: B_KEY',
    '',
  ].join('\n');

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CredentialsFileError);
    return (e as CredentialsFileError).problems;
  }
  throw new Error('expected a CredentialsFileError');
}

const partnerFile = (): Promise<string> =>
  file(
    'partner.yaml',
    [
      'partner:',
      '  clientIdEnv: A_ID',
      '  clientSecretEnv: A_SECRET',
      '  subscriptionKeyEnv: A_KEY',
      `  msns: ["${MSN_B}", ${MSN_C}]`,
    ].join('\n'),
  );

describe('VIPPS_CREDENTIALS_FILE', () => {
  it('reads values from environment variable names and file paths, per MSN', async () => {
    const path = await file('two.yaml', twoUnits());
    expect(loadCredentialsFile(path, env, 'test')).toEqual([
      {
        label: `salesUnits.${MSN_A}`,
        credentials: {
          clientId: 'client-a',
          clientSecret: 'secret-a-9f1c',
          subscriptionKey: 'subkey-a-77d2',
        },
        msns: [MSN_A],
        partner: false,
      },
      {
        label: `salesUnits.${MSN_B}`,
        credentials: {
          clientId: 'client-b',
          clientSecret: 'secret-b-0b3a',
          subscriptionKey: 'subkey-b-41e0',
        },
        msns: [MSN_B],
        partner: false,
      },
    ]);
  });

  it('reads JSON too', async () => {
    const path = await file(
      'one.json',
      JSON.stringify({
        salesUnits: {
          [MSN_A]: { clientIdEnv: 'A_ID', clientSecretEnv: 'A_SECRET', subscriptionKeyEnv: 'A_KEY' },
        },
      }),
    );
    expect(loadCredentialsFile(path, env, 'production').map((s) => s.msns)).toEqual([[MSN_A]]);
  });

  it('refuses an inline secret with a precise error that does not echo it', async () => {
    const path = await file(
      'inline.yaml',
      [
        'salesUnits:',
        `  "${MSN_A}":`,
        '    clientIdEnv: A_ID',
        '    clientSecret: hunter2-inline',
        '    subscriptionKeyEnv: A_KEY',
      ].join('\n'),
    );
    const problems = problemsOf(() => loadCredentialsFile(path, env, 'production'));
    expect(problems).toEqual([
      `salesUnits.${MSN_A}.clientSecret: inline values are refused (a secret in a file that gets copied and ` +
        'reviewed); give clientSecretEnv (an environment variable name) or clientSecretFile (a file path)',
    ]);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('names an unset variable and an unreadable file', async () => {
    const path = await file(
      'unset.yaml',
      [
        'salesUnits:',
        `  "${MSN_A}":`,
        '    clientIdEnv: NOT_SET_ID',
        `    clientSecretFile: ${join(dir, 'missing')}`,
        '    subscriptionKeyEnv: A_KEY',
      ].join('\n'),
    );
    expect(problemsOf(() => loadCredentialsFile(path, env, 'production'))).toEqual([
      `salesUnits.${MSN_A}.clientIdEnv: the environment variable NOT_SET_ID is not set`,
      `salesUnits.${MSN_A}.clientSecretFile: cannot read ${join(dir, 'missing')} (ENOENT)`,
    ]);
  });

  it('takes partner keys with their MSN list in production', async () => {
    const [set] = loadCredentialsFile(await partnerFile(), env, 'production');
    expect(set).toMatchObject({ label: 'partner', msns: [MSN_B, MSN_C], partner: true });
  });

  it('refuses partner keys in the test environment, where Vipps has none', async () => {
    const path = await partnerFile();
    expect(problemsOf(() => loadCredentialsFile(path, env, 'test'))).toEqual([
      'partner: partner keys work only in production; Vipps gives partners merchant API keys per sales unit ' +
        'for the test environment (developer.vippsmobilepay.com/docs/partner/partner-keys): list them under salesUnits',
    ]);
  });

  it('config: the file replaces VIPPS_CLIENT_ID & co., and refuses to sit beside them', async () => {
    const path = await file('cfg.yaml', twoUnits());
    const base = {
      ...env,
      VIPPS_ENV: 'test',
      PUBLIC_WEBHOOK_URL: 'https://gw.example.com/webhooks/vipps',
      VIPPS_WEBHOOK_SECRETS: 'whsec',
      VIPPS_CREDENTIALS_FILE: path,
    };
    expect(loadConfig(base).vipps.credentialSets.map((s) => s.msns)).toEqual([[MSN_A], [MSN_B]]);
    let error: unknown;
    try {
      loadConfig({ ...base, VIPPS_CLIENT_ID: 'single' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'VIPPS_CLIENT_ID is invalid: expected unset when VIPPS_CREDENTIALS_FILE is given (the file names every ' +
        'sales unit\'s credentials), got "[set]"',
    );
  });
});

/** The Vipps client with these credential sets, talking to an emulator through `fetch`. */
function emulatorClient(
  baseUrl: string,
  credentialSets: ReturnType<typeof loadCredentialsFile>,
  fetchFn: typeof fetch,
  clock: FakeClock,
) {
  return createVippsClient({
    env: 'sandbox',
    baseUrl,
    systemName: 'checkin-gateway',
    systemVersion: '0.1.0',
    credentialSets,
    fetch: fetchFn,
    clock,
  });
}

describe('the client against the emulator: one credential set and one token cache per MSN', () => {
  it('fetches one token per set, and every call carries its MSN and that MSN’s keys', async () => {
    const clock = new FakeClock();
    const emulator = createEmulator({ clock, approveAfterMs: 0 });
    const running = await emulator.listen(0);
    const calls: { path: string; msn?: string; clientId?: string; subKey?: string; status: number }[] = [];
    const recording: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      const res = await fetch(input, init);
      calls.push({
        path: new URL(String(input)).pathname,
        ...(headers.get('Merchant-Serial-Number') ? { msn: headers.get('Merchant-Serial-Number')! } : {}),
        ...(headers.get('client_id') ? { clientId: headers.get('client_id')! } : {}),
        subKey: headers.get('Ocp-Apim-Subscription-Key') ?? '',
        status: res.status,
      });
      return res;
    };
    try {
      const sets = loadCredentialsFile(await file('client.yaml', twoUnits()), env, 'sandbox');
      const client = emulatorClient(running.url, sets, recording, clock);
      for (const msn of [MSN_A, MSN_B, MSN_A, MSN_B])
        await client.qr.put({ msn, merchantQrId: `lane-${msn}`, locationDescription: `Lane ${msn}` });

      const tokenCalls = calls.filter((c) => c.path === '/accesstoken/get');
      expect(tokenCalls).toEqual([
        { path: '/accesstoken/get', msn: MSN_A, clientId: 'client-a', subKey: 'subkey-a-77d2', status: 200 },
        { path: '/accesstoken/get', msn: MSN_B, clientId: 'client-b', subKey: 'subkey-b-41e0', status: 200 },
      ]);
      const qrCalls = calls.filter((c) => c.path.startsWith('/qr/'));
      expect(qrCalls.map((c) => [c.msn, c.subKey, c.status])).toEqual([
        [MSN_A, 'subkey-a-77d2', 200],
        [MSN_B, 'subkey-b-41e0', 200],
        [MSN_A, 'subkey-a-77d2', 200],
        [MSN_B, 'subkey-b-41e0', 200],
      ]);
      // The emulator stored each code under the MSN the call carried.
      expect([...emulator.state.qrs.values()].map((q) => q.msn).sort()).toEqual([MSN_A, MSN_B]);

      // An MSN without credentials is refused before anything is sent.
      const before = calls.length;
      await expect(
        client.qr.put({ msn: MSN_C, merchantQrId: 'lane-c', locationDescription: 'Lane C' }),
      ).rejects.toThrow(
        new VippsInvalidRequestError(
          'qr.put',
          'Merchant-Serial-Number',
          `a sales unit with credentials (none for MSN ${MSN_C} in VIPPS_CREDENTIALS_FILE)`,
        ),
      );
      expect(calls.length).toBe(before);
    } finally {
      await emulator.close();
    }
  });
});

describe('partner keys against the emulator: a token per sales unit', () => {
  it('asks for a token with each MSN it acts for and keeps each for that MSN', async () => {
    const clock = new FakeClock();
    const emulator = createEmulator({ clock, approveAfterMs: 0 });
    const running = await emulator.listen(0);
    const tokenCalls: { msn: string | null; clientId: string | null }[] = [];
    const recording: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      if (new URL(String(input)).pathname === '/accesstoken/get')
        tokenCalls.push({ msn: headers.get('Merchant-Serial-Number'), clientId: headers.get('client_id') });
      return fetch(input, init);
    };
    try {
      // Partner keys exist only in production; the client is pointed at the emulator all the same.
      const sets = loadCredentialsFile(await partnerFile(), env, 'production');
      const client = emulatorClient(running.url, sets, recording, clock);
      for (const msn of [MSN_B, MSN_C, MSN_B, MSN_C])
        await client.qr.put({ msn, merchantQrId: `lane-${msn}`, locationDescription: `Lane ${msn}` });
      expect(tokenCalls).toEqual([
        { msn: MSN_B, clientId: 'client-a' },
        { msn: MSN_C, clientId: 'client-a' },
      ]);
      expect([...emulator.state.qrs.values()].map((q) => q.msn).sort()).toEqual([MSN_B, MSN_C]);
    } finally {
      await emulator.close();
    }
  });
});

describe('a lane whose MSN has no credentials', () => {
  const lanes = (msns: readonly string[]): string =>
    JSON.stringify({
      lanes: msns.map((msn, i) => ({
        id: `lane-${i + 1}`,
        kind: 'vending',
        msn,
        description: `Lane ${i + 1}`,
        currency: 'NOK',
        maxAmount: 100,
      })),
    });

  it('fails `lanes check`, one line per lane', async () => {
    const lanesPath = await file('lanes-check.json', lanes([MSN_A, MSN_C, MSN_C]));
    const credentials = await file('check.yaml', twoUnits());
    const r = await checkLanesFile(lanesPath, { ...env, VIPPS_CREDENTIALS_FILE: credentials });
    expect(r).toEqual({
      exitCode: 1,
      output: [
        `error: ${lanesPath} has lanes without Vipps credentials (2 errors):`,
        `  lane "lane-2": MSN ${MSN_C} has no credentials in VIPPS_CREDENTIALS_FILE (${credentials}); add ` +
          `salesUnits."${MSN_C}" or list it in partner.msns`,
        `  lane "lane-3": MSN ${MSN_C} has no credentials in VIPPS_CREDENTIALS_FILE (${credentials}); add ` +
          `salesUnits."${MSN_C}" or list it in partner.msns`,
      ].join('\n'),
    });
    const ok = await checkLanesFile(await file('lanes-ok.json', lanes([MSN_A, MSN_B])), {
      ...env,
      VIPPS_CREDENTIALS_FILE: credentials,
    });
    expect(ok.exitCode).toBe(0);
  });

  it('stops the start with the same line, before anything listens', async () => {
    const lanesPath = await file('lanes-start.json', lanes([MSN_A, MSN_C]));
    const credentials = await file('start.yaml', twoUnits());
    const config = loadSandboxConfig(lanesPath, { ...env, VIPPS_CREDENTIALS_FILE: credentials });
    const started = startGateway(config, { role: 'all', logger: silentLogger() });
    await expect(started).rejects.toThrow(LaneCredentialsError);
    await expect(started).rejects.toThrow(
      `lane "lane-2": MSN ${MSN_C} has no credentials in VIPPS_CREDENTIALS_FILE (${credentials}); add ` +
        `salesUnits."${MSN_C}" or list it in partner.msns`,
    );
  });
});
