// The pure plan behind `qr sync`: which codes to create, update, keep or delete.
import { countActions, planQrSync } from '../../src/cli/qr-plan';
import type { Lane } from '../../src/lanes/lane';
import type { MerchantCallbackQr } from '../../src/vipps';

const lane = (id: string, msn: string, description: string, merchantQrId = id): Lane => ({
  id,
  kind: 'vending',
  msn,
  merchantQrId,
  description,
  currency: 'NOK',
  maxAmount: 1000,
  enabled: true,
  controller: { type: 'log' },
});

// Vending lanes' codes carry category VENDING (issue 15), as `qr sync` leaves them.
const qr = (
  msn: string,
  merchantQrId: string,
  locationDescription: string,
  category: string | null = 'VENDING',
): MerchantCallbackQr => ({
  merchantSerialNumber: msn,
  merchantQrId,
  locationDescription,
  ...(category === null ? {} : { category }),
  qrImageUrl: `https://qr.example/${merchantQrId}.svg`,
  qrContent: `https://qr.vipps.no/${msn}-${merchantQrId}`,
});

describe('planQrSync', () => {
  const lanes = [lane('a', '1111', 'A'), lane('b', '1111', 'B'), lane('c', '2222', 'C', 'qr-c')];

  it('creates missing codes, updates changed descriptions and leaves equal ones alone, in lanes-file order', () => {
    const plan = planQrSync(lanes, [qr('1111', 'b', 'B'), qr('2222', 'qr-c', 'old C')], false);
    expect(plan).toEqual([
      {
        action: 'create',
        msn: '1111',
        merchantQrId: 'a',
        laneId: 'a',
        description: 'A',
        category: 'VENDING',
      },
      {
        action: 'unchanged',
        msn: '1111',
        merchantQrId: 'b',
        laneId: 'b',
        description: 'B',
        category: 'VENDING',
      },
      {
        action: 'update',
        msn: '2222',
        merchantQrId: 'qr-c',
        laneId: 'c',
        description: 'C',
        category: 'VENDING',
        currentDescription: 'old C',
      },
    ]);
  });

  it('sends VENDING for vending lanes and IN_STORE for self-checkout, unless the lane sets qrCategory; a different category is an update', () => {
    const { maxAmount: _vendingOnly, ...base } = lane('s', '1111', 'S');
    const shop: Lane = { ...base, kind: 'self-checkout' };
    const kiosk: Lane = { ...lane('k', '1111', 'K'), qrCategory: 'IN_STORE' };
    const plan = planQrSync(
      [lane('v', '1111', 'V'), shop, kiosk],
      // A code made before categories (none = IN_STORE), a self-checkout one, and one that must go back to IN_STORE.
      [qr('1111', 'v', 'V', null), qr('1111', 's', 'S', null), qr('1111', 'k', 'K', 'VENDING')],
      false,
    );
    expect(plan.map((i) => [i.laneId, i.action, i.category, i.currentCategory])).toEqual([
      ['v', 'update', 'VENDING', 'IN_STORE'],
      ['s', 'unchanged', 'IN_STORE', undefined],
      ['k', 'update', 'IN_STORE', 'VENDING'],
    ]);
    expect(plan.every((i) => i.currentDescription === undefined)).toBe(true);
  });

  it('matches codes by (msn, merchantQrId): the same id under another MSN is a different code', () => {
    const plan = planQrSync([lane('a', '1111', 'A')], [qr('2222', 'a', 'A')], true);
    expect(plan.map((i) => [i.action, i.msn, i.merchantQrId])).toEqual([
      ['create', '1111', 'a'],
      ['prune', '2222', 'a'],
    ]);
  });

  it('lists codes no lane uses after the lanes, sorted, as prune with --prune and extra without', () => {
    const existing = [qr('1111', 'z-old', 'Z'), qr('1111', 'a', 'A'), qr('1111', 'm-old', 'M')];
    const extras = (prune: boolean) =>
      planQrSync([lane('a', '1111', 'A')], existing, prune)
        .slice(1)
        .map((i) => [i.action, i.merchantQrId, i.description, i.laneId]);
    expect(extras(true)).toEqual([
      ['prune', 'm-old', 'M', undefined],
      ['prune', 'z-old', 'Z', undefined],
    ]);
    expect(extras(false).map((e) => e[0])).toEqual(['extra', 'extra']);
  });

  it('counts every action', () => {
    const plan = planQrSync(lanes, [qr('1111', 'b', 'B'), qr('1111', 'x', 'X')], false);
    expect(countActions(plan)).toEqual({ create: 2, update: 0, unchanged: 1, prune: 0, extra: 1 });
  });
});
