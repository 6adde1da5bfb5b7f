import {
  ValidationError,
  array,
  integer,
  isKnown,
  object,
  oneOf,
  oneOfOrUnknown,
  optional,
  string,
} from '../../src/vipps/validate';

describe('response validators', () => {
  const item = object({ id: string, n: optional(integer), kind: oneOf(['A', 'B'] as const) });

  it('keeps declared fields, drops unknown ones and reads null as absent', () => {
    expect(item({ id: 'x', n: null, kind: 'A', extra: true }, 'body')).toEqual({ id: 'x', kind: 'A' });
    expect(item({ id: 'x', n: 3, kind: 'B' }, 'body')).toEqual({ id: 'x', n: 3, kind: 'B' });
  });

  it('names the failing path and never the value', () => {
    let error: unknown;
    try {
      array(item)(
        [
          { id: 'ok', kind: 'A' },
          { id: 'sk-secret-value', kind: 'A', n: 'seven' },
        ],
        'body',
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe('body[1].n must be an integer');
    expect((error as Error).message).not.toContain('seven');
  });

  it('rejects arrays and null where an object is expected', () => {
    expect(() => item([], 'body')).toThrow('body must be an object');
    expect(() => item(null, 'body')).toThrow('body must be an object');
  });
});

describe('oneOfOrUnknown (states and event names Vipps may add)', () => {
  const STATES = ['CREATED', 'AUTHORIZED'] as const;
  const state = oneOfOrUnknown(STATES);

  it('keeps a known word and an unknown one; isKnown tells them apart', () => {
    expect(state('AUTHORIZED', 'body.state')).toBe('AUTHORIZED');
    const later = state('PARTIALLY_SETTLED', 'body.state');
    expect(later).toBe('PARTIALLY_SETTLED');
    expect(isKnown(STATES, later)).toBe(false);
    expect(isKnown(STATES, 'CREATED')).toBe(true);
  });

  it.each([
    ['a number', 7],
    ['an empty string', ''],
    ['null', null],
  ])('still rejects %s', (_name, value) => {
    expect(() => state(value, 'body.state')).toThrow(ValidationError);
    expect(() => state(value, 'body.state')).toThrow('body.state must be one of CREATED | AUTHORIZED');
  });
});
