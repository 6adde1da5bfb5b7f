import { FakeClock } from '../../src/clock';
import { ConfigError, loadConfig } from '../../src/config';
import { REDACTED, scrubString } from '../../src/log';
import { SANDBOX_CREDENTIALS, createVippsClient, vippsBaseUrl } from '../../src/vipps/client';
import type { VippsClient } from '../../src/vipps/client';
import { VippsInvalidRequestError } from '../../src/vipps/errors';
import { CUSTOMER_TOKEN, MSN, REFERENCE, modificationBody, paymentBody } from './support/fixtures';
import { FakeVipps, empty, json } from './support/fake-vipps';
import type { Reply } from './support/fake-vipps';

const system = { systemName: 'checkin-gateway', systemVersion: '0.1.0' };
const credentials = {
  clientId: 'prod-id',
  clientSecret: 'prod-secret-5d2e',
  subscriptionKey: 'prod-sub-key-88f1',
};

function sandboxClient(vipps: FakeVipps): VippsClient {
  return createVippsClient({
    env: 'sandbox',
    baseUrl: 'http://127.0.0.1:7070/',
    ...system,
    fetch: vipps.fetch,
    clock: new FakeClock(),
  });
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('vippsBaseUrl', () => {
  it.each([
    ['sandbox', 'http://127.0.0.1:7070/', 'http://127.0.0.1:7070'],
    ['test', 'http://127.0.0.1:7070', 'https://apitest.vipps.no'],
    ['production', 'http://127.0.0.1:7070', 'https://api.vipps.no'],
  ] as const)('%s ⇒ %s', (env, sandboxUrl, expected) => {
    expect(vippsBaseUrl(env, sandboxUrl)).toBe(expected);
  });
});

describe('createVippsClient', () => {
  it('uses fixed placeholder credentials against the sandbox when none are configured', async () => {
    const vipps = new FakeVipps(json(200, paymentBody()));
    await sandboxClient(vipps).epayment.get({ msn: MSN, reference: REFERENCE });
    const [tokenCall] = vipps.tokenRequests;
    expect(tokenCall?.url.href).toBe('http://127.0.0.1:7070/accesstoken/get');
    expect(tokenCall?.headers).toMatchObject({
      client_id: SANDBOX_CREDENTIALS.clientId,
      client_secret: SANDBOX_CREDENTIALS.clientSecret,
      'ocp-apim-subscription-key': SANDBOX_CREDENTIALS.subscriptionKey,
    });
  });

  it('refuses production without credentials: no silent fallback to the sandbox', () => {
    expect(configError(() => createVippsClient({ env: 'production', ...system })).message).toBe(
      'VIPPS_CLIENT_ID is required: expected the client id for VIPPS_ENV=production',
    );
    expect(
      configError(() => createVippsClient({ env: 'test', ...system, clientId: 'id', clientSecret: 'secret' }))
        .message,
    ).toBe('VIPPS_SUBSCRIPTION_KEY is required: expected the subscription key for VIPPS_ENV=test');
  });

  it('refuses production pointed at another base URL', () => {
    const e = configError(() =>
      createVippsClient({ env: 'production', baseUrl: 'http://127.0.0.1:7070', ...system, ...credentials }),
    );
    expect(e.message).toBe(
      'VIPPS_BASE_URL is invalid: expected unset when VIPPS_ENV=production (the base URL is fixed), got "http://127.0.0.1:7070"',
    );
  });

  it('refuses the sandbox without an emulator URL', () => {
    expect(configError(() => createVippsClient({ env: 'sandbox', ...system })).message).toBe(
      'VIPPS_BASE_URL is required: expected the emulator URL for VIPPS_ENV=sandbox',
    );
  });

  it('takes config.vipps as it is and talks to the environment it names', async () => {
    const config = loadConfig({
      VIPPS_ENV: 'production',
      PUBLIC_WEBHOOK_URL: 'https://gw.example.com/webhooks/vipps',
      VIPPS_WEBHOOK_SECRETS: 'whsec-1',
      VIPPS_CLIENT_ID: credentials.clientId,
      VIPPS_CLIENT_SECRET: credentials.clientSecret,
      VIPPS_SUBSCRIPTION_KEY: credentials.subscriptionKey,
    });
    const vipps = new FakeVipps(json(200, paymentBody()));
    const client = createVippsClient({ ...config.vipps, fetch: vipps.fetch, clock: new FakeClock() });
    await client.epayment.get({ msn: MSN, reference: REFERENCE });
    expect(vipps.requests.map((r) => r.url.origin)).toEqual(['https://api.vipps.no', 'https://api.vipps.no']);
    expect(vipps.tokenRequests[0]?.headers['client_secret']).toBe(credentials.clientSecret);
  });

  it('rejects invalid input without sending anything', async () => {
    const vipps = new FakeVipps();
    const client = sandboxClient(vipps);
    const call = client.epayment.capture({
      msn: MSN,
      reference: REFERENCE,
      amount: { currency: 'NOK', value: 12.5 },
      idempotencyKey: 'capture-1',
    });
    await expect(call).rejects.toBeInstanceOf(VippsInvalidRequestError);
    await expect(call).rejects.toThrow(
      'Vipps epayment.capture: amount.value must be an integer number of minor units from 1 to 65000000',
    );
    expect(vipps.requests).toHaveLength(0);
  });

  it('registers a new webhook secret with the log redactor', async () => {
    const secret = 'whsec-0f3b6a1e-77c2-4b0b-9e4e';
    const vipps = new FakeVipps(json(201, { id: 'hook-1', secret }));
    const registration = await sandboxClient(vipps).webhooks.register({
      msn: MSN,
      url: 'http://127.0.0.1:8080/webhooks/vipps',
      events: ['user.checked-in.v1'],
    });
    expect(registration).toEqual({ id: 'hook-1', secret });
    expect(scrubString(`secret=${secret}`)).toBe(`secret=${REDACTED}`);
  });

  const qrBody = {
    merchantSerialNumber: MSN,
    merchantQrId: 'kiosk-1',
    locationDescription: 'Kiosk 1',
    qrImageUrl: 'https://qr.example/kiosk-1.png',
    qrContent: 'https://qr.vipps.no/28/2/01/031/4712345678',
  };
  const amount = { currency: 'NOK' as const, value: 2500 };
  const cases: [string, (c: VippsClient) => Promise<unknown>, Reply, string, string, string | undefined][] = [
    [
      'epayment.create',
      (c) =>
        c.epayment.create({
          msn: MSN,
          reference: REFERENCE,
          amount: { currency: 'NOK', value: 4900 },
          customerToken: CUSTOMER_TOKEN,
          paymentDescription: 'Coffee, Kiosk 1',
          idempotencyKey: 'create-1',
        }),
      json(201, { reference: REFERENCE }),
      'POST',
      '/epayment/v1/payments',
      JSON.stringify({
        amount: { currency: 'NOK', value: 4900 },
        paymentMethod: { type: 'WALLET' },
        customer: { customerToken: CUSTOMER_TOKEN },
        customerInteraction: 'CUSTOMER_PRESENT',
        reference: REFERENCE,
        userFlow: 'PUSH_MESSAGE',
        paymentDescription: 'Coffee, Kiosk 1',
      }),
    ],
    [
      'epayment.get',
      (c) => c.epayment.get({ msn: MSN, reference: REFERENCE }),
      json(200, paymentBody()),
      'GET',
      `/epayment/v1/payments/${REFERENCE}`,
      undefined,
    ],
    [
      'epayment.events',
      (c) => c.epayment.events({ msn: MSN, reference: REFERENCE }),
      json(200, []),
      'GET',
      `/epayment/v1/payments/${REFERENCE}/events`,
      undefined,
    ],
    [
      'epayment.capture',
      (c) => c.epayment.capture({ msn: MSN, reference: REFERENCE, amount, idempotencyKey: 'capture-1' }),
      json(200, modificationBody()),
      'POST',
      `/epayment/v1/payments/${REFERENCE}/capture`,
      '{"modificationAmount":{"currency":"NOK","value":2500}}',
    ],
    [
      'epayment.cancel',
      (c) => c.epayment.cancel({ msn: MSN, reference: REFERENCE, idempotencyKey: 'cancel-1' }),
      json(200, modificationBody()),
      'POST',
      `/epayment/v1/payments/${REFERENCE}/cancel`,
      undefined,
    ],
    [
      'epayment.refund',
      (c) => c.epayment.refund({ msn: MSN, reference: REFERENCE, amount, idempotencyKey: 'refund-1' }),
      json(200, modificationBody()),
      'POST',
      `/epayment/v1/payments/${REFERENCE}/refund`,
      '{"modificationAmount":{"currency":"NOK","value":2500}}',
    ],
    [
      'qr.put',
      (c) => c.qr.put({ msn: MSN, merchantQrId: 'kiosk-1', locationDescription: 'Kiosk 1' }),
      empty(200),
      'PUT',
      '/qr/v1/merchant-callback/kiosk-1',
      '{"locationDescription":"Kiosk 1"}',
    ],
    [
      'qr.get',
      (c) => c.qr.get({ msn: MSN, merchantQrId: 'kiosk-1', format: 'PNG', size: 600 }),
      json(200, qrBody),
      'GET',
      '/qr/v1/merchant-callback/kiosk-1?QrImageFormat=PNG&QrImageSize=600',
      undefined,
    ],
    [
      'qr.list',
      (c) => c.qr.list({ msn: MSN }),
      json(200, [qrBody]),
      'GET',
      '/qr/v1/merchant-callback',
      undefined,
    ],
    [
      'qr.delete',
      (c) => c.qr.delete({ msn: MSN, merchantQrId: 'kiosk-1' }),
      empty(200),
      'DELETE',
      '/qr/v1/merchant-callback/kiosk-1',
      undefined,
    ],
    [
      'webhooks.list',
      (c) => c.webhooks.list({ msn: MSN }),
      json(200, { webhooks: [] }),
      'GET',
      '/webhooks/v1/webhooks',
      undefined,
    ],
    [
      'webhooks.delete',
      (c) => c.webhooks.delete({ msn: MSN, id: 'hook-1' }),
      empty(204),
      'DELETE',
      '/webhooks/v1/webhooks/hook-1',
      undefined,
    ],
  ];

  it.each(cases)('%s goes out as the API expects', async (_name, call, reply, method, pathAndQuery, body) => {
    const vipps = new FakeVipps(reply);
    await call(sandboxClient(vipps));
    const [req] = vipps.apiRequests;
    expect(req?.method).toBe(method);
    expect(`${req?.url.pathname}${req?.url.search}`).toBe(pathAndQuery);
    expect(req?.body).toBe(body);
    expect(req?.headers['merchant-serial-number']).toBe(MSN);
    expect(req?.headers['authorization']).toBe('Bearer token-1');
    expect(req?.headers['content-type']).toBe(body === undefined ? undefined : 'application/json');
  });
});
