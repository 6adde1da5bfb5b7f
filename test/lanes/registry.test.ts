import { createHash } from 'node:crypto';
import { LaneRegistryConflictError } from '../../src/lanes/errors';
import type { Lane } from '../../src/lanes/lane';
import { laneReferencePrefix, refKeyOfReference } from '../../src/lanes/reference-key';
import { createLaneRegistry, laneRefKey } from '../../src/lanes/registry';
import { validateLanes } from '../../src/lanes/validate';

function lanesOf(entries: Record<string, unknown>[]): Lane[] {
  const result = validateLanes(
    entries.map((e) => ({
      kind: 'vending',
      msn: '123456',
      description: 'Machine',
      currency: 'NOK',
      maxAmount: 2500,
      ...e,
    })),
  );
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.lanes;
}

describe('createLaneRegistry', () => {
  const lanes = lanesOf([
    { id: 'vend-1' },
    { id: 'vend-2', merchantQrId: 'qr-2' },
    { id: 'vend-3', merchantQrId: 'qr-2', msn: '654321' },
  ]);
  const registry = createLaneRegistry(lanes);

  it('finds lanes by (msn, merchantQrId), including a merchantQrId defaulted from the id', () => {
    expect(registry.byQr('123456', 'vend-1')?.id).toBe('vend-1');
    expect(registry.byQr('123456', 'qr-2')?.id).toBe('vend-2');
    expect(registry.byQr('654321', 'qr-2')?.id).toBe('vend-3');
  });

  it('misses unknown pairs and pairs that only match when joined differently', () => {
    expect(registry.byQr('123456', 'qr-3')).toBeUndefined();
    expect(registry.byQr('999999', 'vend-1')).toBeUndefined();
    // A "msn|qr" string key would make these look alike; the nested maps do not.
    expect(registry.byQr('12345', '6vend-1')).toBeUndefined();
    expect(registry.byQr('123456/vend-1', '')).toBeUndefined();
    expect(registry.byQr('__proto__', 'constructor')).toBeUndefined();
  });

  it('finds lanes by id and lists them in file order', () => {
    expect(registry.byId('vend-2')?.merchantQrId).toBe('qr-2');
    expect(registry.byId('nope')).toBeUndefined();
    expect(registry.all().map((l) => l.id)).toEqual(['vend-1', 'vend-2', 'vend-3']);
    expect(registry.size).toBe(3);
    expect(Object.isFrozen(registry.all())).toBe(true);
  });

  it('keys lanes by the first 12 hex characters of sha256(id)', () => {
    const expected = createHash('sha256').update('vend-2').digest('hex').slice(0, 12);
    expect(laneRefKey('vend-2')).toBe(expected);
    expect(registry.byRefKey(expected)?.id).toBe('vend-2');
    expect(registry.byRefKey('000000000000')).toBeUndefined();
  });

  it('maps an ePayment reference built from the lane prefix back to the lane id', () => {
    const reference = `${laneReferencePrefix('vend-3')}0123456789abcdef01234567`;
    expect(reference).toMatch(/^[a-zA-Z0-9-]{8,50}$/); // vipps-protocol §6.1
    expect(registry.laneIdForReference(reference)).toBe('vend-3');
  });

  it.each([
    ['another system’s reference', 'order-2026-0001'],
    ['an upper-case key', `cg${laneRefKey('vend-1').toUpperCase()}-abc`],
    ['a key without the dash', `cg${laneRefKey('vend-1')}abc`],
    ['an unknown key', 'cg0123456789ab-abc'],
  ])('returns undefined for %s', (_name, reference) => {
    expect(registry.laneIdForReference(reference)).toBeUndefined();
  });

  it('parses the key out of a reference', () => {
    expect(refKeyOfReference(`cg${laneRefKey('x')}-1`)).toBe(laneRefKey('x'));
    expect(refKeyOfReference('cg-1')).toBeUndefined();
  });

  it('refuses lanes that did not pass validation instead of letting one shadow another', () => {
    const [first] = lanes as [Lane];
    expect(() => createLaneRegistry([first, { ...first, merchantQrId: 'other' }])).toThrow(
      new LaneRegistryConflictError('duplicate id "vend-1"'),
    );
    expect(() => createLaneRegistry([first, { ...first, id: 'other' }])).toThrow(
      'lanes conflict (duplicate QR 123456/vend-1): build registries only from validateLanes output',
    );
  });
});
