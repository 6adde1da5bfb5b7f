// The logger skips a disabled level before formatting: redaction walks every field, and intake logs a line
// per accepted event at info, which operators at volume turn off with LOG_LEVEL=warn.
import { PassThrough } from 'node:stream';
import { createLogger, REDACTED } from '../../src/log';

function capture(level: string): {
  log: ReturnType<typeof createLogger>;
  lines: () => Record<string, unknown>[];
} {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const log = createLogger({ level, stream });
  return {
    log,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('logger levels', () => {
  it('does not format (or even read) the fields of a line below the level, on the logger and its children', () => {
    const { log, lines } = capture('warn');
    let reads = 0;
    const meta = {
      get laneId(): string {
        reads += 1;
        return 'vend-oslo-1';
      },
    };
    log.info('queued', meta);
    log.debug('detail', meta);
    log.child({ requestId: 'r1' }).info('queued', meta);
    expect(reads).toBe(0);
    expect(lines()).toEqual([]);
  });

  it('still writes and redacts lines at or above the level, with the child logger’s fields', () => {
    const { log, lines } = capture('warn');
    log.child({ requestId: 'r1' }).warn('dropped', { customerToken: 'tok-123456789', laneId: 'vend-oslo-1' });
    log.error('failed', { reason: 'x' });
    const out = lines();
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({
      level: 'warn',
      message: 'dropped',
      requestId: 'r1',
      laneId: 'vend-oslo-1',
      customerToken: REDACTED,
    });
    expect(out[1]).toMatchObject({ level: 'error', message: 'failed', reason: 'x' });
  });
});
