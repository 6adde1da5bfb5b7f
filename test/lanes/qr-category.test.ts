// `qrCategory` (issue 15): a lane may set the callback QR's category, checked against the QR API's list
// (IN_STORE | VENDING); without it `qr sync` sends VENDING for vending lanes (test/cli/qr-plan.test.ts).
import { validateLanes } from '../../src/lanes/validate';

const shop = {
  id: 'shop-1',
  kind: 'self-checkout',
  msn: '123456',
  description: 'Self-checkout 1',
  currency: 'NOK',
};

it('accepts IN_STORE and VENDING and keeps it on the lane; absent stays absent', () => {
  const result = validateLanes({
    lanes: [
      { ...shop, qrCategory: 'VENDING' },
      { ...shop, id: 'shop-2' },
    ],
  });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  expect(result.lanes.map((l) => l.qrCategory)).toEqual(['VENDING', undefined]);
});

it('refuses another category naming the allowed ones, and loads no lane', () => {
  const result = validateLanes({ lanes: [{ ...shop, qrCategory: 'KIOSK' }] });
  expect(result).toEqual({
    ok: false,
    errors: ['lane "shop-1" (#1): qrCategory: expected "IN_STORE" or "VENDING", got "KIOSK"'],
  });
});
