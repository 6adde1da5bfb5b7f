// `npm run demo` in-process: every scripted scenario passes against a fresh sandbox and the output carries a
// timeline per session.
import { runDemo } from '../../src/emulator/demo';

describe('npm run demo', () => {
  it('passes every scenario and the whole ledger, printing a timeline per session', async () => {
    const lines: string[] = [];
    const ok = await runDemo((line) => lines.push(line));
    const out = lines.join('\n');
    expect(ok).toBe(true);
    expect(out).toContain('no real money moves');
    // 6 scanned scenarios, one per pairing started otherwise (redirect-qr, screen-qr, personal-qr), ledger, summary
    expect(lines.filter((l) => l.startsWith('PASS  ')).length).toBe(11);
    expect(out).toMatch(/^PASS {2}screen-qr: .* \[vend-bergen-2\]$/m);
    expect(out).toMatch(/^PASS {2}personal-qr: .* \[vend-bergen-2\]$/m);
    expect(out).toContain('session.qr-ready');
    expect(lines.filter((l) => l.startsWith('FAIL'))).toEqual([]);
    expect(out).toMatch(
      /\+\s*\d+ ms\s+\(\+\d+\)\s+lane\s+session\.completed {2}captured 25\.00 NOK, released 75\.00 NOK/,
    );
    expect(out).toContain('session.dropped  (busy)');
    expect(out).toContain('session.failed  (expired)');
    expect(out).not.toMatch(/customerToken/);
  }, 60_000);
});
