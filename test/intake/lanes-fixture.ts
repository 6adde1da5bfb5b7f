// Lanes for the intake tests, in the real in-memory registry.
import type { Lane } from '../../src/lanes/lane';
import { createLaneRegistry } from '../../src/lanes/registry';

export function lane(overrides: Partial<Lane> & Pick<Lane, 'id' | 'msn' | 'merchantQrId'>): Lane {
  return {
    kind: 'vending',
    description: `Lane ${overrides.id}`,
    currency: 'NOK',
    maxAmount: 10000,
    enabled: true,
    controller: { type: 'log' },
    ...overrides,
  };
}

/** The lanes the intake tests use: an enabled one, a disabled one, and one with a 30 s check-in cutoff. */
export const testLanes = createLaneRegistry([
  lane({ id: 'lane-1', msn: '123456', merchantQrId: 'lane-1' }),
  lane({ id: 'lane-off', msn: '123456', merchantQrId: 'lane-off', enabled: false }),
  lane({ id: 'lane-strict', msn: '123456', merchantQrId: 'lane-strict', checkinMaxAgeS: 30 }),
]);
