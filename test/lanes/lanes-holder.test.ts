import { EventEmitter, once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { LanesFileError, LanesNotLoadedError } from '../../src/lanes/errors';
import { LanesHolder } from '../../src/lanes/lanes-holder';
import { createLogger } from '../../src/log';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lanes-holder-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function lanesYaml(ids: string[]): string {
  const lanes = ids.map(
    (id) =>
      `  - id: ${id}\n    kind: vending\n    msn: '123456'\n    description: Machine ${id}\n    currency: NOK\n    maxAmount: 2500`,
  );
  return `lanes:\n${lanes.join('\n')}\n`;
}

/** A logger whose JSON lines are collected, and a wait for a line that matches (logs are piped async). */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger({ stream });
  async function logged(message: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 2000;
    for (;;) {
      const line = lines.find((l) => l.message === message);
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`no log line "${message}" in ${JSON.stringify(lines)}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return { logger, lines, logged };
}

let fileNo = 0;
async function lanesFile(text: string): Promise<string> {
  const path = join(dir, `lanes-${++fileNo}.yaml`);
  await writeFile(path, text);
  return path;
}

describe('LanesHolder', () => {
  it('refuses current() before a successful load', () => {
    const holder = new LanesHolder(join(dir, 'never.yaml'), capturedLogger().logger);
    expect(() => holder.current()).toThrow(LanesNotLoadedError);
  });

  it('opens with the file’s lanes and fails the boot on an invalid file', async () => {
    const { logger } = capturedLogger();
    const holder = await LanesHolder.open(await lanesFile(lanesYaml(['a', 'b'])), logger);
    expect(
      holder
        .current()
        .all()
        .map((l) => l.id),
    ).toEqual(['a', 'b']);
    await expect(LanesHolder.open(await lanesFile('lanes: 3\n'), logger)).rejects.toThrow(LanesFileError);
  });

  it('swaps in a good new file on reload', async () => {
    const { logger, logged } = capturedLogger();
    const path = await lanesFile(lanesYaml(['a']));
    const holder = await LanesHolder.open(path, logger);
    await writeFile(path, lanesYaml(['a', 'b', 'c']));

    expect(await holder.reload()).toEqual({ ok: true, count: 3 });
    expect(holder.current().byId('c')?.description).toBe('Machine c');
    expect(await logged('lanes file reloaded')).toMatchObject({
      level: 'info',
      path,
      lanes: 3,
      vending: 3,
      selfCheckout: 0,
    });
  });

  it('keeps the old registry when the new file is invalid, and logs why at error level', async () => {
    const { logger, logged } = capturedLogger();
    const path = await lanesFile(lanesYaml(['a', 'b']));
    const holder = await LanesHolder.open(path, logger);
    const before = holder.current();
    await writeFile(path, lanesYaml(['a', 'a']));

    const errors = ['lane "a" (#2): id: "a" is already used by lane "a" (#1)'];
    expect(await holder.reload()).toEqual({ ok: false, errors });
    expect(holder.current()).toBe(before);
    expect(await logged('lanes file reload failed; keeping the previous lanes')).toMatchObject({
      level: 'error',
      path,
      code: 'LANES_FILE_INVALID',
      errors,
      errorCount: 1,
      kept: 2,
    });
  });

  it('keeps the old registry when the file has disappeared', async () => {
    const { logger } = capturedLogger();
    const path = await lanesFile(lanesYaml(['a']));
    const holder = await LanesHolder.open(path, logger);
    await rm(path);
    expect(await holder.reload()).toEqual({
      ok: false,
      errors: [`ENOENT: no such file or directory, open '${path}'`],
    });
    expect(holder.current().size).toBe(1);
  });

  it('reloads on SIGHUP from the watched signal source, and stops after unwatch', async () => {
    const { logger } = capturedLogger();
    const path = await lanesFile(lanesYaml(['a']));
    const holder = await LanesHolder.open(path, logger);
    const signals = new EventEmitter();
    holder.watchSighup(signals);
    await writeFile(path, lanesYaml(['a', 'b']));

    const reloaded = once(holder, 'reload');
    signals.emit('SIGHUP');
    expect(await reloaded).toEqual([{ ok: true, count: 2 }]);
    expect(holder.current().byId('b')).toBeDefined();

    holder.unwatch();
    expect(signals.listenerCount('SIGHUP')).toBe(0);
  });

  it('installs one handler however often watchSighup is called', async () => {
    const holder = await LanesHolder.open(await lanesFile(lanesYaml(['a'])), capturedLogger().logger);
    const signals = new EventEmitter();
    holder.watchSighup(signals);
    holder.watchSighup(signals);
    expect(signals.listenerCount('SIGHUP')).toBe(1);
    holder.unwatch();
  });

  it('runs overlapping reloads one after another, so the last call wins', async () => {
    const { logger } = capturedLogger();
    const path = await lanesFile(lanesYaml(['a']));
    const holder = await LanesHolder.open(path, logger);
    const results: unknown[] = [];
    holder.on('reload', (r) => results.push(r));
    await writeFile(path, lanesYaml(['a', 'b']));
    const first = holder.reload();
    const second = holder.reload();
    expect(await second).toEqual({ ok: true, count: 2 });
    expect(await first).toEqual({ ok: true, count: 2 });
    expect(results).toEqual([
      { ok: true, count: 2 },
      { ok: true, count: 2 },
    ]);
  });
});
