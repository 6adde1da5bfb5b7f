import { laneRefKey } from '../../src/lanes/reference-key';
import { validateLanes } from '../../src/lanes/validate';

const vending = {
  id: 'vend-1',
  kind: 'vending',
  msn: '123456',
  description: 'Snack machine, Oslo S',
  currency: 'NOK',
  maxAmount: 10000,
};
const selfCheckout = {
  id: 'shop-1',
  kind: 'self-checkout',
  msn: '123456',
  description: 'Self-checkout 1',
  currency: 'NOK',
};

/** The errors for a file holding one lane: `base` with `changes` applied (undefined removes a field). */
function errorsFor(base: Record<string, unknown>, changes: Record<string, unknown>): string[] {
  const lane = { ...base, ...changes };
  for (const [k, v] of Object.entries(changes)) if (v === undefined) delete lane[k];
  const result = validateLanes({ lanes: [lane] });
  if (result.ok) throw new Error(`expected errors for ${JSON.stringify(changes)}`);
  return result.errors;
}

describe('validateLanes: a valid file', () => {
  it('fills in the defaults: merchantQrId = id, enabled, an implicit log controller, timeouts per kind', () => {
    const result = validateLanes({ lanes: [vending, selfCheckout] });
    expect(result).toEqual({
      ok: true,
      lanes: [
        {
          ...vending,
          merchantQrId: 'vend-1',
          dispenseTimeoutS: 60,
          enabled: true,
          controller: { type: 'log', implicit: true },
        },
        {
          ...selfCheckout,
          merchantQrId: 'shop-1',
          saleWaitS: 900,
          enabled: true,
          controller: { type: 'log', implicit: true },
        },
      ],
    });
  });

  it('keeps every optional field as given and freezes the lanes', () => {
    const lane = {
      ...selfCheckout,
      merchantQrId: 'QR_shop-1',
      msn: '1234567',
      currency: 'EUR',
      fixedAmount: 1,
      checkinMaxAgeS: 30,
      saleWaitS: 120,
      enabled: false,
      controller: { type: 'webhook', url: 'https://pos.example.com/lanes', secretEnv: 'SHOP_WEBHOOK_SECRET' },
    };
    const result = validateLanes([lane]);
    expect(result).toEqual({ ok: true, lanes: [lane] });
    if (result.ok) expect(Object.isFrozen(result.lanes[0])).toBe(true);
  });

  it.each([
    [{ type: 'webhook', url: 'http://127.0.0.1:9000/lanes', secretEnv: 'S' }],
    [{ type: 'webhook', url: 'http://localhost/lanes', secretEnv: 'S' }],
    [{ type: 'sqs', queueUrl: 'https://sqs.eu-north-1.amazonaws.com/123456789012/lane-events.fifo' }],
    [{ type: 'sqs', queueUrl: 'http://sqs.us-east-1.localhost:4566/000000000000/lanes' }],
  ])('accepts controller %j', (controller) => {
    expect(validateLanes([{ ...vending, controller }])).toEqual({
      ok: true,
      lanes: [expect.objectContaining({ controller })],
    });
  });

  it('accepts the amount limits of each currency (vipps-protocol §6.1)', () => {
    const lanes = [
      { ...vending, id: 'a', maxAmount: 100 },
      { ...vending, id: 'b', currency: 'DKK', maxAmount: 1 },
      { ...vending, id: 'c', currency: 'EUR', maxAmount: 65000000 },
    ];
    expect(validateLanes(lanes).ok).toBe(true);
  });

  it('ignores top-level x-… keys, the place for YAML anchors', () => {
    expect(validateLanes({ 'x-defaults': { kind: 'vending' }, lanes: [vending] }).ok).toBe(true);
  });

  it('accepts an empty list', () => {
    expect(validateLanes({ lanes: [] })).toEqual({ ok: true, lanes: [] });
  });
});

describe('validateLanes: one message per rule, naming the lane and field', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>, string]>([
    ['id missing', vending, { id: undefined }, 'lane #1: id: required'],
    [
      'id with a space',
      vending,
      { id: 'vend 1' },
      'lane "vend 1" (#1): id: expected 1–64 characters of A–Z, a–z, 0–9, _ or -, got "vend 1"',
    ],
    [
      'id of 65 characters',
      vending,
      { id: 'x'.repeat(65) },
      `lane "${'x'.repeat(57)}..." (#1): id: expected 1–64 characters of A–Z, a–z, 0–9, _ or -, got "${'x'.repeat(57)}..."`,
    ],
    ['kind missing', vending, { kind: undefined }, 'lane "vend-1" (#1): kind: required'],
    [
      'kind unknown',
      vending,
      { kind: 'kiosk' },
      'lane "vend-1" (#1): kind: expected "vending" or "self-checkout", got "kiosk"',
    ],
    [
      'msn as a YAML number',
      vending,
      { msn: 123456 },
      'lane "vend-1" (#1): msn: expected a string of 4–7 digits, got the number 123456 (quote it in YAML: msn: \'123456\')',
    ],
    [
      'msn of 3 digits',
      vending,
      { msn: '123' },
      'lane "vend-1" (#1): msn: expected a string of 4–7 digits, got "123"',
    ],
    [
      'msn of 8 digits',
      vending,
      { msn: '12345678' },
      'lane "vend-1" (#1): msn: expected a string of 4–7 digits, got "12345678"',
    ],
    [
      'merchantQrId with a slash',
      vending,
      { merchantQrId: 'a/b' },
      'lane "vend-1" (#1): merchantQrId: expected 1–100 characters of A–Z, a–z, 0–9, _ or - (it is a URL path segment in the QR API), got "a/b"',
    ],
    [
      'merchantQrId empty',
      vending,
      { merchantQrId: '' },
      'lane "vend-1" (#1): merchantQrId: expected 1–100 characters of A–Z, a–z, 0–9, _ or - (it is a URL path segment in the QR API), got ""',
    ],
    [
      'description of 37 characters',
      vending,
      { description: 'Snack machine at Oslo S, platform 19' + '!' },
      'lane "vend-1" (#1): description: expected at most 36 characters (it is the QR\'s locationDescription), got 37: "Snack machine at Oslo S, platform 19!"',
    ],
    [
      'description blank',
      vending,
      { description: '   ' },
      'lane "vend-1" (#1): description: expected text of 1–36 characters, got only blanks',
    ],
    [
      'description on two lines',
      vending,
      { description: 'Snack\nmachine' },
      'lane "vend-1" (#1): description: expected a single line without control characters, got "Snack\\nmachine"',
    ],
    ['currency missing', vending, { currency: undefined }, 'lane "vend-1" (#1): currency: required'],
    [
      'currency SEK',
      vending,
      { currency: 'SEK' },
      'lane "vend-1" (#1): currency: expected "NOK", "DKK" or "EUR", got "SEK"',
    ],
    [
      'maxAmount with decimals',
      vending,
      { maxAmount: 12.5 },
      'lane "vend-1" (#1): maxAmount: expected an integer number of minor units ≥ 100 for NOK, got 12.5',
    ],
    [
      'maxAmount under the NOK minimum',
      vending,
      { maxAmount: 99 },
      'lane "vend-1" (#1): maxAmount: expected an integer number of minor units ≥ 100 for NOK, got 99',
    ],
    [
      'maxAmount zero in DKK',
      vending,
      { currency: 'DKK', maxAmount: 0 },
      'lane "vend-1" (#1): maxAmount: expected an integer number of minor units ≥ 1 for DKK, got 0',
    ],
    [
      'maxAmount as text',
      vending,
      { maxAmount: '100.00' },
      'lane "vend-1" (#1): maxAmount: expected an integer number of minor units ≥ 100 for NOK, got "100.00"',
    ],
    [
      'maxAmount over the ePayment maximum',
      vending,
      { maxAmount: 65000001 },
      'lane "vend-1" (#1): maxAmount: expected at most 65000000 minor units (the ePayment maximum), got 65000001',
    ],
    [
      'maxAmount missing on vending',
      vending,
      { maxAmount: undefined },
      'lane "vend-1" (#1): maxAmount: required for kind vending',
    ],
    [
      'fixedAmount on vending',
      vending,
      { fixedAmount: 500 },
      'lane "vend-1" (#1): fixedAmount: not allowed for kind vending (vending lanes reserve maxAmount)',
    ],
    [
      'maxAmount on self-checkout',
      selfCheckout,
      { maxAmount: 500 },
      'lane "shop-1" (#1): maxAmount: not allowed for kind self-checkout (self-checkout lanes charge the open sale or fixedAmount)',
    ],
    [
      'fixedAmount under the minimum in EUR',
      selfCheckout,
      { currency: 'EUR', fixedAmount: -5 },
      'lane "shop-1" (#1): fixedAmount: expected an integer number of minor units ≥ 1 for EUR, got -5',
    ],
    [
      'checkinMaxAgeS 0',
      vending,
      { checkinMaxAgeS: 0 },
      'lane "vend-1" (#1): checkinMaxAgeS: expected a whole number of seconds from 1 to 900, got 0',
    ],
    [
      'checkinMaxAgeS 901',
      vending,
      { checkinMaxAgeS: 901 },
      'lane "vend-1" (#1): checkinMaxAgeS: expected a whole number of seconds from 1 to 900, got 901',
    ],
    [
      'dispenseTimeoutS 601',
      vending,
      { dispenseTimeoutS: 601 },
      'lane "vend-1" (#1): dispenseTimeoutS: expected a whole number of seconds from 1 to 600, got 601',
    ],
    [
      'dispenseTimeoutS on self-checkout',
      selfCheckout,
      { dispenseTimeoutS: 60 },
      'lane "shop-1" (#1): dispenseTimeoutS: not allowed for kind self-checkout (self-checkout lanes have no dispense step)',
    ],
    [
      'saleWaitS 1.5',
      selfCheckout,
      { saleWaitS: 1.5 },
      'lane "shop-1" (#1): saleWaitS: expected a whole number of seconds from 1 to 900, got 1.5',
    ],
    [
      'saleWaitS on vending',
      vending,
      { saleWaitS: 60 },
      'lane "vend-1" (#1): saleWaitS: not allowed for kind vending (vending lanes reserve maxAmount at once)',
    ],
    [
      'enabled as "yes"',
      vending,
      { enabled: 'yes' },
      'lane "vend-1" (#1): enabled: expected true or false, got "yes"',
    ],
    [
      'a misspelt field',
      vending,
      { maxAmmount: 100 },
      'lane "vend-1" (#1): maxAmmount: unknown field (did you mean maxAmount?)',
    ],
    [
      'a field in the wrong case',
      vending,
      { merchantQRId: 'x' },
      'lane "vend-1" (#1): merchantQRId: unknown field (did you mean merchantQrId?)',
    ],
    ['an unrelated field', vending, { colour: 'red' }, 'lane "vend-1" (#1): colour: unknown field'],
  ])('%s', (_name, base, changes, message) => {
    expect(errorsFor(base, changes)).toEqual([message]);
  });
});

describe('validateLanes: controller', () => {
  it.each<[string, unknown, string]>([
    [
      'not a mapping',
      'log',
      'lane "vend-1" (#1): controller: expected a mapping with a type ("log", "simulated", "webhook" or "sqs"), got "log"',
    ],
    [
      'type missing',
      {},
      'lane "vend-1" (#1): controller.type: required ("log", "simulated", "webhook" or "sqs")',
    ],
    [
      'type unknown',
      { type: 'mqtt' },
      'lane "vend-1" (#1): controller.type: expected "log", "simulated", "webhook" or "sqs", got "mqtt"',
    ],
    [
      'a field of another type',
      { type: 'log', url: 'https://x.example' },
      'lane "vend-1" (#1): controller.url: unknown field for type log',
    ],
    [
      'a field on the simulated type',
      { type: 'simulated', url: 'https://x.example' },
      'lane "vend-1" (#1): controller.url: unknown field for type simulated',
    ],
    [
      'webhook over plain http to another host',
      { type: 'webhook', url: 'http://pos.example.com/lanes', secretEnv: 'S' },
      'lane "vend-1" (#1): controller.url: expected an https URL (http only for localhost or 127.0.0.1), got "http://pos.example.com/lanes"',
    ],
    [
      'webhook url missing',
      { type: 'webhook', secretEnv: 'S' },
      'lane "vend-1" (#1): controller.url: required: an https URL (http only for localhost or 127.0.0.1)',
    ],
    [
      'webhook url not a URL',
      { type: 'webhook', url: 'pos.example.com', secretEnv: 'S' },
      'lane "vend-1" (#1): controller.url: expected an https URL (http only for localhost or 127.0.0.1), got "pos.example.com"',
    ],
    [
      'secretEnv missing',
      { type: 'webhook', url: 'https://pos.example.com/lanes' },
      'lane "vend-1" (#1): controller.secretEnv: required for type webhook: the name of the env var holding the signing secret',
    ],
    [
      'sqs queueUrl without account and queue name',
      { type: 'sqs', queueUrl: 'https://sqs.eu-north-1.amazonaws.com/' },
      'lane "vend-1" (#1): controller.queueUrl: expected an SQS queue URL like https://sqs.eu-north-1.amazonaws.com/123456789012/lane-events, got "https://sqs.eu-north-1.amazonaws.com/"',
    ],
  ])('%s', (_name, controller, message) => {
    expect(errorsFor(vending, { controller })).toEqual([message]);
  });

  it('reads type simulated (the sandbox machine) and an explicit log apart from a missing controller', () => {
    const read = (controller: unknown): unknown => {
      const result = validateLanes([{ ...vending, controller }]);
      return result.ok ? result.lanes[0]?.controller : result.errors;
    };
    expect(read({ type: 'simulated' })).toEqual({ type: 'simulated' });
    expect(read({ type: 'log' })).toEqual({ type: 'log' });
    expect(read(undefined)).toEqual({ type: 'log', implicit: true });
  });

  it('names a misspelt field and the field it misses', () => {
    const controller = { type: 'sqs', queueURL: 'https://sqs.eu-north-1.amazonaws.com/1/q' };
    expect(errorsFor(vending, { controller })).toEqual([
      'lane "vend-1" (#1): controller.queueURL: unknown field for type sqs (did you mean queueUrl?)',
      'lane "vend-1" (#1): controller.queueUrl: required: an SQS queue URL like https://sqs.eu-north-1.amazonaws.com/123456789012/lane-events',
    ]);
  });

  it('never echoes a secretEnv value: a pasted secret must not reach the logs', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const errors = errorsFor(vending, {
      controller: { type: 'webhook', url: 'https://pos.example.com/lanes', secretEnv: secret },
    });
    expect(errors).toEqual([
      'lane "vend-1" (#1): controller.secretEnv: expected the NAME of an environment variable holding the signing secret (A–Z, 0–9 and _, not starting with a digit), not the secret itself',
    ]);
  });

  it('never echoes credentials in a URL', () => {
    const errors = errorsFor(vending, {
      controller: { type: 'webhook', url: 'https://lane:hunter2hunter2@pos.example.com/x', secretEnv: 'S' },
    });
    expect(errors).toEqual([
      'lane "vend-1" (#1): controller.url: must not contain user:password@ credentials',
    ]);
    expect(errors.join()).not.toContain('hunter2');
  });
});

describe('validateLanes: uniqueness', () => {
  it('rejects a duplicate id, naming both lanes', () => {
    const result = validateLanes([vending, { ...vending, merchantQrId: 'other' }]);
    expect(result).toEqual({
      ok: false,
      errors: ['lane "vend-1" (#2): id: "vend-1" is already used by lane "vend-1" (#1)'],
    });
  });

  it('reports a copied lane once, not also for the merchantQrId defaulted from the same id', () => {
    expect(validateLanes([vending, vending])).toEqual({
      ok: false,
      errors: ['lane "vend-1" (#2): id: "vend-1" is already used by lane "vend-1" (#1)'],
    });
  });

  it('rejects a duplicate (msn, merchantQrId)', () => {
    const result = validateLanes([
      { ...vending, merchantQrId: 'qr-7' },
      { ...selfCheckout, merchantQrId: 'qr-7' },
    ]);
    expect(result).toEqual({
      ok: false,
      errors: [
        'lane "shop-1" (#2): merchantQrId: "qr-7" on msn 123456 is already used by lane "vend-1" (#1)',
      ],
    });
  });

  it('rejects a merchantQrId that clashes with another lane’s defaulted one', () => {
    const result = validateLanes([vending, { ...selfCheckout, merchantQrId: 'vend-1' }]);
    expect(result).toEqual({
      ok: false,
      errors: [
        'lane "shop-1" (#2): merchantQrId: "vend-1" on msn 123456 is already used by lane "vend-1" (#1)',
      ],
    });
  });

  it('says when the clashing merchantQrId was defaulted from the id', () => {
    const result = validateLanes([{ ...selfCheckout, merchantQrId: 'vend-1' }, vending]);
    expect(result).toEqual({
      ok: false,
      errors: [
        'lane "vend-1" (#2): merchantQrId: "vend-1" (defaulted from id) on msn 123456 is already used by lane "shop-1" (#1)',
      ],
    });
  });

  it('allows the same merchantQrId under two MSNs', () => {
    expect(
      validateLanes([vending, { ...vending, id: 'vend-2', merchantQrId: 'vend-1', msn: '654321' }]).ok,
    ).toBe(true);
  });

  it('rejects two ids whose reference keys collide', () => {
    // Found by a birthday search over 48M ids: distinct ids, same first 12 hex of sha256.
    const [a, b] = ['lane-ju9zi', 'lane-pdi9y'];
    expect(laneRefKey(a)).toBe(laneRefKey(b));
    const result = validateLanes([
      { ...vending, id: a },
      { ...vending, id: b },
    ]);
    expect(result).toEqual({
      ok: false,
      errors: [
        `lane "${b}" (#2): id: its reference key ${laneRefKey(a)} (sha256 prefix) collides with lane "${a}" (#1)'s; rename one of them`,
      ],
    });
  });
});

describe('validateLanes: the file as a whole', () => {
  it('collects every error of every lane in one pass', () => {
    const result = validateLanes({
      lanes: [
        { ...vending, maxAmount: 12.5, currency: 'SEK' },
        'vend-2',
        { ...selfCheckout, msn: '12', enabled: 1 },
      ],
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        'lane "vend-1" (#1): currency: expected "NOK", "DKK" or "EUR", got "SEK"',
        'lane "vend-1" (#1): maxAmount: expected an integer number of minor units ≥ 1, got 12.5',
        'lane #2: expected a mapping with id, kind, msn, description, currency, got "vend-2"',
        'lane "shop-1" (#3): msn: expected a string of 4–7 digits, got "12"',
        'lane "shop-1" (#3): enabled: expected true or false, got 1',
      ],
    });
  });

  it.each<[string, unknown, string[]]>([
    [
      'null (an empty YAML file)',
      null,
      ['expected a mapping with a "lanes" list (or a bare list of lanes), got null'],
    ],
    ['a string', 'lanes', ['expected a mapping with a "lanes" list (or a bare list of lanes), got "lanes"']],
    [
      'no lanes key',
      { lane: [] },
      [
        'lane: unknown top-level field (only "lanes" and x-… keys are allowed)',
        'lanes: required: the list of lanes',
      ],
    ],
    ['lanes as a mapping', { lanes: { a: 1 } }, ['lanes: expected a list of lanes, got a mapping']],
  ])('rejects a top level that is %s', (_name, doc, errors) => {
    expect(validateLanes(doc)).toEqual({ ok: false, errors });
  });
});
