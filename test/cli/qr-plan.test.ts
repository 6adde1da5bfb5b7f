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

const qr = (msn: string, merchantQrId: string, locationDescription: string): MerchantCallbackQr => ({
  merchantSerialNumber: msn,
  merchantQrId,
  locationDescription,
  qrImageUrl: `https://qr.example/${merchantQrId}.svg`,
  qrContent: `https://qr.vipps.no/${msn}-${merchantQrId}`,
});

describe('planQrSync', () => {
  const lanes = [lane('a', '1111', 'A'), lane('b', '1111', 'B'), lane('c', '2222', 'C', 'qr-c')];

  it('creates missing codes, updates changed descriptions and leaves equal ones alone, in lanes-file order', () => {
    const plan = planQrSync(lanes, [qr('1111', 'b', 'B'), qr('2222', 'qr-c', 'old C')], false);
    expect(plan).toEqual([
      { action: 'create', msn: '1111', merchantQrId: 'a', laneId: 'a', description: 'A' },
      { action: 'unchanged', msn: '1111', merchantQrId: 'b', laneId: 'b', description: 'B' },
      {
        action: 'update',
        msn: '2222',
        merchantQrId: 'qr-c',
        laneId: 'c',
        description: 'C',
        currentDescription: 'old C',
      },
    ]);
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
