// The emulator's world in a file (issue 13): what a restarted embedded sandbox finds, and how payments still
// waiting for the customer move on from the saved instants.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { FakeClock } from '../../src/clock';
import { createEmulator } from '../../src/emulator/emulator';
import { createLogger } from '../../src/log';
import { createBody, paymentEvent, scan, startHarness } from './helpers';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cg-emulator-state-'));
  file = path.join(dir, 'emulator-state.json');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Runs an emulator on `file`, creates a payment whose customer approves `approveAfterMs` later, and stops. */
async function paymentLeftWaiting(approveAfterMs: number): Promise<{ clock: FakeClock; body: unknown }> {
  const h = await startHarness({ stateFile: file, stateSaveDebounceMs: 0 });
  const { customerToken } = await scan(h, { behavior: { action: 'approve', afterMs: approveAfterMs } });
  const body = createBody('ref-restart-1', customerToken);
  const res = await h.api('/epayment/v1/payments', { body, headers: { 'Idempotency-Key': 'create-1' } });
  expect(res.status).toBe(201);
  await h.close();
  return { clock: h.clock, body };
}

describe('emulator state file', () => {
  it('keeps payments, customer tokens and stored answers: a new emulator on the file replays the create', async () => {
    const { clock, body } = await paymentLeftWaiting(60_000);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { version: number };
    expect(saved.version).toBe(1);

    const h = await startHarness({ stateFile: file });
    h.clock.set(clock.now());
    try {
      const p = h.emulator.state.payments.get('123456/ref-restart-1');
      expect(p?.state).toBe('CREATED');
      expect(p?.outcome).toEqual({ state: 'AUTHORIZED', at: clock.now().getTime() + 60_000 });
      expect(h.emulator.state.customerTokens.size).toBe(1);
      // The gateway retrying its create after the restart gets the same payment, not "reference exists".
      const again = await h.api('/epayment/v1/payments', {
        body,
        headers: { 'Idempotency-Key': 'create-1' },
      });
      expect(again.status).toBe(201);
    } finally {
      await h.close();
    }
  });

  it('approves at once on resume() when the approval fell due while the emulator was down', async () => {
    const { clock } = await paymentLeftWaiting(5_000);
    const restarted = new FakeClock(clock.now().getTime() + 60_000);
    const emulator = createEmulator({ clock: restarted, stateFile: file });
    try {
      // Nothing moves before resume(): the embedding gateway registers its webhook first.
      expect(emulator.state.payments.get('123456/ref-restart-1')?.state).toBe('CREATED');
      const approved = paymentEvent(emulator, 'ref-restart-1', 'AUTHORIZED');
      emulator.resume();
      expect((await approved).state).toBe('AUTHORIZED');
    } finally {
      await emulator.close();
    }
  });

  it('expires a payment whose user timeout passed while the emulator was down', async () => {
    const { clock } = await paymentLeftWaiting(24 * 3600_000);
    const restarted = new FakeClock(clock.now().getTime() + 11 * 60_000);
    const emulator = createEmulator({ clock: restarted, stateFile: file });
    try {
      const expired = paymentEvent(emulator, 'ref-restart-1', 'EXPIRED');
      emulator.resume();
      expect((await expired).state).toBe('EXPIRED');
    } finally {
      await emulator.close();
    }
  });

  it('starts empty with a warning naming the file when the saved state cannot be read', async () => {
    await writeFile(file, '{"version": 99}');
    const stream = new PassThrough();
    const lines: Array<Record<string, unknown>> = [];
    stream.on('data', (c: Buffer) => {
      for (const l of c.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l));
    });
    const emulator = createEmulator({ stateFile: file, logger: createLogger({ stream }) });
    await emulator.close();
    expect(emulator.state.payments.size).toBe(0);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'emulator: the saved state cannot be read; starting with an empty emulator',
        file,
        error: 'version 99, expected 1',
      }),
    );
  });
});
