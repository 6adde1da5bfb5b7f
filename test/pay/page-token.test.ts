// The pay page's per-page token: it stands for one attempt of one lane for ten minutes, and nothing else.
import { pageTokens, TOKEN_TTL_MS } from '../../src/pay/page-token';

describe('pay page tokens', () => {
  const t0 = new Date('2026-12-04T12:00:00Z');
  const later = (ms: number): Date => new Date(t0.getTime() + ms);

  it('gives the same attemptId for the same page, a new one per page, within ten minutes', () => {
    const tokens = pageTokens();
    const a = tokens.issue('vend-1', t0);
    const b = tokens.issue('vend-1', t0);
    const id = tokens.check('vend-1', a, later(TOKEN_TTL_MS));
    expect(id).toMatch(/^pay-[0-9a-f]{24}$/);
    expect(tokens.check('vend-1', a, later(1000))).toBe(id);
    expect(tokens.check('vend-1', b, t0)).not.toBe(id);
  });

  it('refuses a token past ten minutes, from the future, for another lane, altered or from another key', () => {
    const tokens = pageTokens();
    const token = tokens.issue('vend-1', t0);
    expect(tokens.check('vend-1', token, later(TOKEN_TTL_MS + 1))).toBeUndefined();
    expect(tokens.check('vend-1', token, later(-61_000))).toBeUndefined();
    expect(tokens.check('vend-2', token, t0)).toBeUndefined();
    const [issued, nonce, mac] = token.split('.') as [string, string, string];
    expect(
      tokens.check('vend-1', `${issued}.${nonce.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))}.${mac}`, t0),
    ).toBeUndefined();
    expect(
      tokens.check('vend-1', `${(parseInt(issued, 36) + 1).toString(36)}.${nonce}.${mac}`, t0),
    ).toBeUndefined();
    expect(tokens.check('vend-1', `${token}.x`, t0)).toBeUndefined();
    expect(tokens.check('vend-1', undefined, t0)).toBeUndefined();
    expect(pageTokens().check('vend-1', token, t0)).toBeUndefined();
  });

  it('accepts another instance\u2019s page when both share the key', () => {
    const key = Buffer.alloc(32, 7);
    const token = pageTokens(key).issue('vend-1', t0);
    expect(pageTokens(key).check('vend-1', token, t0)).toMatch(/^pay-/);
  });
});
