import { ValidationError, array, integer, object, oneOf, optional, string } from '../../src/vipps/validate';

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
