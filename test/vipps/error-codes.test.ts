import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  classifyFailure,
  CODE_PARTIAL_CAPTURE_NOT_ALLOWED,
  type FailureAction,
  VIPPS_ERROR_CODES,
} from '../../src/vipps/error-codes';

const ACTIONS: readonly FailureAction[] = ['retry-same-key', 'read-then-decide', 'permanent'];

describe('the Vipps error-code table', () => {
  const rows = Object.entries(VIPPS_ERROR_CODES);

  it.each(rows)('%s is keyed by its own code, titled, with an action and a reason', (key, info) => {
    expect(info.code).toBe(key);
    expect(key).toMatch(/^\d{4,5}$/);
    expect(info.title.trim()).not.toBe('');
    expect(ACTIONS).toContain(info.action);
    expect(info.note.length).toBeGreaterThan(10);
  });

  it('holds every code the issue names, and the capture/cancel/refund refusals', () => {
    const named = ['3010', '4010', '4020', '4040', '4050', '4060', '4070', '4140', '4150', '5040', '5080'];
    const payment = ['6010', '6030', '6040', '6060', '6080', '6090', '6100', '6140', '6150', '6160', '6220'];
    for (const code of [...named, ...payment, '6250', '6260', '6280', '7010'])
      expect(VIPPS_ERROR_CODES[code]?.code).toBe(code);
  });

  it.each([
    ['6280', 'retry-same-key'],
    ['6160', 'retry-same-key'],
    ['6250', 'retry-same-key'],
    ['3010', 'retry-same-key'],
    ['4050', 'permanent'],
    ['5080', 'permanent'],
    ['4040', 'permanent'],
    ['6100', 'permanent'],
    ['6220', 'permanent'],
    ['4020', 'read-then-decide'],
    ['6090', 'read-then-decide'],
    ['6170', 'read-then-decide'],
  ] as const)('%s ⇒ %s', (code, action) => {
    expect(VIPPS_ERROR_CODES[code]?.action).toBe(action);
  });

  it('6140 (partial capture not allowed) is permanent in the table: the caller has its own strategy', () => {
    expect(CODE_PARTIAL_CAPTURE_NOT_ALLOWED).toBe('6140');
    expect(VIPPS_ERROR_CODES[CODE_PARTIAL_CAPTURE_NOT_ALLOWED]?.action).toBe('permanent');
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(VIPPS_ERROR_CODES)).toBe(true);
    expect(Object.isFrozen(VIPPS_ERROR_CODES['6280'])).toBe(true);
  });

  it('is the table docs/vipps-error-codes.md shows, row for row', () => {
    const doc = readFileSync(join(__dirname, '../../docs/vipps-error-codes.md'), 'utf8');
    const documented = [...doc.matchAll(/^\| (\d{4,5}) \| [^|]+ \| `([a-z-]+)` \|/gm)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(documented).toEqual(rows.map(([code, info]) => [code, info.action]));
  });
});

describe('classifyFailure', () => {
  it('a known code decides before the status', () => {
    expect(classifyFailure({ status: 400, code: '6280', retryable: false })).toBe('retry-same-key');
    expect(classifyFailure({ status: 500, code: '4050', retryable: true })).toBe('permanent');
    expect(classifyFailure({ status: 409, code: '6160', retryable: false })).toBe('retry-same-key');
  });

  it.each([
    ['a network error or timeout (no status)', 'retry-same-key', undefined, true],
    ['our own request refused before sending (no status, not retryable)', 'permanent', undefined, false],
    ['423 locked', 'retry-same-key', 423, true],
    ['429 rate limited', 'retry-same-key', 429, true],
    ['500', 'retry-same-key', 500, true],
    ['503', 'retry-same-key', 503, true],
    ['401 (access token)', 'permanent', 401, false],
    ['403 (product not enabled)', 'permanent', 403, false],
    ['409 (same key, other body)', 'read-then-decide', 409, false],
    ['400', 'read-then-decide', 400, false],
    ['404', 'read-then-decide', 404, false],
  ] as const)('without a code: %s ⇒ %s', (_name, action, status, retryable) => {
    expect(classifyFailure({ ...(status === undefined ? {} : { status }), retryable })).toBe(action);
  });

  it('an unknown code with a 400 ⇒ read-then-decide', () => {
    expect(classifyFailure({ status: 400, code: '99999', retryable: false })).toBe('read-then-decide');
  });

  it('an unknown code with a 5xx ⇒ retry-same-key', () => {
    expect(classifyFailure({ status: 502, code: '99999', retryable: true })).toBe('retry-same-key');
  });

  it('6280 with a 400 ⇒ retry-same-key', () => {
    expect(classifyFailure({ status: 400, code: '6280', retryable: false })).toBe('retry-same-key');
  });
});
