// A sandbox restarted on the same DATA_DIR continues where it was (issue 13): the emulator's payments live
// beside the embedded database, so a session stopped between the payment's creation and the customer's
// approval completes after the restart instead of reading 404 until it gives up.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MSN, startE2e, type E2e, type LaneSpec } from '../e2e/harness';
import { waitFor } from '../support/wait-for';

// Two gateway starts on a real data directory (migrations, PGlite on disk): ~45 s alone, minutes on a busy machine.
jest.setTimeout(300_000);

const LANES: LaneSpec[] = [{ id: 'vend-restart', kind: 'vending', maxAmount: 2000 }];

let dataDir: string;
const open: E2e[] = [];
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'cg-sandbox-restart-'));
});
afterEach(async () => {
  for (const e2e of open.splice(0)) await e2e.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function start(): Promise<E2e> {
  const e2e = await startE2e({ lanes: LANES, dataDir });
  open.push(e2e);
  return e2e;
}

/** The customer approves now: the ePayment test API's approve, as a Vipps test user would. */
async function approve(e2e: E2e, reference: string): Promise<number> {
  const auth = await fetch(`${e2e.emulatorUrl}/accesstoken/get`, {
    method: 'POST',
    headers: { client_id: 'test', client_secret: 'test', 'Ocp-Apim-Subscription-Key': 'test' },
  });
  const { access_token: token } = (await auth.json()) as { access_token: string };
  const res = await fetch(`${e2e.emulatorUrl}/epayment/v1/test/payments/${reference}/approve`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Ocp-Apim-Subscription-Key': 'test',
      'Merchant-Serial-Number': MSN,
    },
  });
  await res.arrayBuffer();
  return res.status;
}

describe('a sandbox restarted mid-payment', () => {
  it('completes the session: the payment created before the restart is approved and captured after it', async () => {
    const first = await start();
    // The customer has not answered when the gateway stops; they approve only after the restart (timers that
    // fall due while the emulator is down are test/emulator/state-file.test.ts's).
    const session = await first.scan('vend-restart', { action: 'ignore' });
    const created = await waitFor(
      async () => {
        const p = await first.payment(session.reference);
        return p?.state === 'CREATED' ? p : undefined;
      },
      { timeoutMs: 60_000, what: 'the payment created' },
    );
    expect(created.amount.value).toBe(2000);
    await first.close();
    open.splice(0);
    await expect(stat(path.join(dataDir, 'emulator-state.json'))).resolves.toBeTruthy();

    const second = await start();
    expect((await second.payment(session.reference))?.state).toBe('CREATED');
    expect(await approve(second, session.reference)).toBe(200);
    const final = await second.final(session, 90_000);
    expect(final.type).toBe('session.completed');
    const paid = await waitFor(
      async () => {
        const p = await second.payment(session.reference);
        return p && p.aggregate.capturedAmount.value > 0 ? p : undefined;
      },
      { timeoutMs: 60_000, what: 'the capture' },
    );
    // One payment, created once: the restart neither lost it nor made a second one.
    expect(paid.createCalls).toBe(1);
    expect((await second.payments()).filter((p) => p.reference === session.reference)).toHaveLength(1);
  });
});
