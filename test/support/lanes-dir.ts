// The set-up several gateway-start test files share: a temporary directory holding a lanes file, the things a
// test starts (gateways, emulators) closed after each test in reverse order, and a logger whose JSON lines the
// test can read.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/log';

export interface LanesDir {
  /** The lanes file's path (valid from beforeAll on). */
  readonly lanesFile: () => string;
  readonly dir: () => string;
  /** Closed after the current test, last started first. */
  readonly running: Array<{ close(): Promise<void> }>;
}

/** Registers the hooks: the directory and lanes file before all tests, closes `running` after each. */
export function useLanesDir(prefix: string, lanesYaml: string): LanesDir {
  let dir = '';
  const running: Array<{ close(): Promise<void> }> = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), prefix));
    await writeFile(path.join(dir, 'lanes.yaml'), lanesYaml);
  });
  afterEach(async () => {
    for (const r of running.splice(0).reverse()) await r.close();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return { lanesFile: () => path.join(dir, 'lanes.yaml'), dir: () => dir, running };
}

/** A logger at `info` whose lines are parsed into `lines` as they are written. */
export function captureLogs(): {
  logger: ReturnType<typeof createLogger>;
  lines: Array<Record<string, unknown>>;
} {
  const stream = new PassThrough();
  const lines: Array<Record<string, unknown>> = [];
  stream.on('data', (c: Buffer) => {
    for (const l of c.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l));
  });
  return { logger: createLogger({ stream, level: 'info' }), lines };
}
