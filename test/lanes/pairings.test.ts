// The lanes file's `pairings` and `qrSource` (issue 16): the default, every accepted form, each mistake with its
// exact message, and what `lanes check` says each offered pairing needs.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLanesFile } from '../../src/lanes/check-command';
import { lanePairings } from '../../src/lanes/lane';
import { validateLanes } from '../../src/lanes/validate';

const vending = {
  id: 'vend-1',
  kind: 'vending',
  msn: '123456',
  description: 'Snack machine',
  currency: 'NOK',
  maxAmount: 10000,
};

function lanes(changes: Record<string, unknown>) {
  return validateLanes({ lanes: [{ ...vending, ...changes }] });
}

function errors(changes: Record<string, unknown>): string[] {
  const result = lanes(changes);
  if (result.ok) throw new Error(`expected errors for ${JSON.stringify(changes)}`);
  return result.errors;
}

describe('lanes file: pairings', () => {
  it('defaults to the callback sticker and leaves the field absent (files without it load as before)', () => {
    const result = lanes({});
    expect(result.ok && result.lanes[0]?.pairings).toBeUndefined();
    expect(result.ok && lanePairings(result.lanes[0] as never)).toEqual(['callback-qr']);
  });

  it('keeps the listed pairings, and qrSource epayment for a screen', () => {
    const result = lanes({
      pairings: ['personal-qr', 'screen-qr', 'callback-qr', 'redirect-qr'],
      qrSource: 'epayment',
    });
    expect(result).toMatchObject({
      ok: true,
      lanes: [{ pairings: ['personal-qr', 'screen-qr', 'callback-qr', 'redirect-qr'], qrSource: 'epayment' }],
    });
  });

  it.each([
    [
      { pairings: 'screen-qr' },
      'lane "vend-1" (#1): pairings: expected a list of callback-qr, screen-qr, personal-qr, redirect-qr, got "screen-qr"',
    ],
    [
      { pairings: [] },
      'lane "vend-1" (#1): pairings: expected at least one of callback-qr, screen-qr, personal-qr, redirect-qr (to stop a lane, set enabled: false)',
    ],
    [
      { pairings: ['screen'] },
      'lane "vend-1" (#1): pairings[0]: expected "callback-qr", "screen-qr", "personal-qr" or "redirect-qr", got "screen"',
    ],
    [
      { pairings: ['screen-qr', 'screen-qr'] },
      'lane "vend-1" (#1): pairings[1]: "screen-qr" is listed twice',
    ],
    [
      { pairings: ['screen-qr'], qrSource: 'camera' },
      'lane "vend-1" (#1): qrSource: expected "epayment" or "one-time", got "camera"',
    ],
    [
      { qrSource: 'epayment' },
      'lane "vend-1" (#1): qrSource: only for lanes offering screen-qr (it says where the screen\'s QR comes from)',
    ],
    [
      { pairings: ['screen-qr'], qrSource: 'one-time' },
      'lane "vend-1" (#1): qrSource: "one-time" is not supported: the QR API\'s one-time payment QR (POST /qr/v1/) takes eCom/Recurring payment URLs only, and ePayment has the one-time QR built in (userFlow QR); use "epayment" or omit qrSource',
    ],
    [{ pairing: ['screen-qr'] }, 'lane "vend-1" (#1): pairing: unknown field (did you mean pairings?)'],
  ])('%j is refused: %s', (changes, message) => {
    expect(errors(changes)).toEqual([message]);
  });

  it('reports every bad entry of one list', () => {
    expect(errors({ pairings: ['nfc', 'screen-qr', 42] })).toEqual([
      'lane "vend-1" (#1): pairings[0]: expected "callback-qr", "screen-qr", "personal-qr" or "redirect-qr", got "nfc"',
      'lane "vend-1" (#1): pairings[2]: expected "callback-qr", "screen-qr", "personal-qr" or "redirect-qr", got 42',
    ]);
  });
});

describe('lanes check: what each offered pairing needs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lanes-pairings-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints one line per pairing in use, with the lanes offering it', async () => {
    const path = join(dir, 'lanes.json');
    await writeFile(
      path,
      JSON.stringify({
        lanes: [
          { ...vending, id: 'a', pairings: ['callback-qr', 'screen-qr'] },
          { ...vending, id: 'b', pairings: ['screen-qr', 'personal-qr'] },
          { ...vending, id: 'c' },
        ],
      }),
    );
    expect(await checkLanesFile(path)).toEqual({
      exitCode: 0,
      output: [
        `ok: 3 lanes (3 vending, 0 self-checkout) in ${path}`,
        '  callback-qr (2 lanes): needs the merchant-callback QR sticker (`qr sync` creates it) and the user.checked-in.v1 webhook registered',
        '  screen-qr (2 lanes): needs a customer-facing screen: the controller calls POST /v1/lanes/{laneId}/sessions {pairing: "screen-qr"} and shows the image of the session.qr-ready lane message (ePayment userFlow QR)',
        '  personal-qr (1 lane): needs a QR scanner: the controller scans the customer\'s personal QR and calls POST /v1/lanes/{laneId}/sessions {pairing: "personal-qr", personalQr} (ePayment push with customer.personalQr)',
      ].join('\n'),
    });
  });

  it('says nothing more for a file that lists no pairings', async () => {
    const path = join(dir, 'plain.json');
    await writeFile(path, JSON.stringify({ lanes: [vending] }));
    expect(await checkLanesFile(path)).toEqual({
      exitCode: 0,
      output: `ok: 1 lanes (1 vending, 0 self-checkout) in ${path}`,
    });
  });

  it('fails with the exact message for a bad pairing', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, JSON.stringify({ lanes: [{ ...vending, pairings: ['qr'] }] }));
    expect(await checkLanesFile(path)).toEqual({
      exitCode: 1,
      output: [
        `error: ${path} is invalid (1 error):`,
        '  lane "vend-1" (#1): pairings[0]: expected "callback-qr", "screen-qr", "personal-qr" or "redirect-qr", got "qr"',
      ].join('\n'),
    });
  });
});
