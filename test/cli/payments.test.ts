// `checkin-gateway payments …` against a running gateway (it owns DATA_DIR, so the CLI goes through its admin
// endpoints, as an operator's would), with the in-process emulator as Vipps.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli';
import type { Io } from '../../src/cli/command';
import { MSN, startE2e, type E2e, type ScannedSession } from '../e2e/harness';

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  readonly questions: readonly string[];
}

describe('payments commands', () => {
  let dataDir: string;
  let e2e: E2e;
  let paid: ScannedSession;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'cg-payments-cli-'));
    e2e = await startE2e({ lanes: [{ id: 'vend-cli', kind: 'vending', maxAmount: 10000 }], dataDir });
    await e2e.control('PUT', '/emulator/v1/controllers/vend-cli', {
      dispense: { result: 'dispensed', amount: 2500 },
    });
    paid = await e2e.scan('vend-cli');
    await e2e.final(paid);
    // A real DATA_DIR (PGlite on disk) starts in seconds on an idle machine, far slower on a loaded one.
  }, 120_000);
  afterAll(async () => {
    await e2e.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function run(argv: string[], answers?: string[]): Promise<Run> {
    const out: string[] = [];
    const err: string[] = [];
    const questions: string[] = [];
    const queue = answers ? [...answers] : undefined;
    const io: Io = {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      env: { DATA_DIR: dataDir, VIPPS_ENV: 'sandbox' },
      ...(queue
        ? {
            ask: async (q: string) => {
              questions.push(q);
              return queue.shift() ?? '';
            },
          }
        : {}),
    };
    const code = await runCli(argv, io);
    return { code, out: out.join('\n'), err: err.join('\n'), questions };
  }

  it('lists the payment with its Vipps amounts as a table, JSON and CSV', async () => {
    const table = await run(['payments', 'list']);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(
      new RegExp(
        `${paid.reference}\\s+vend-cli\\s+settled\\s+-\\s+25\\.00 NOK\\s+100\\.00 NOK\\s+25\\.00 NOK\\s+75\\.00 NOK\\s+0\\.00 NOK`,
      ),
    );
    const json = await run(['payments', 'list', '--json']);
    expect(JSON.parse(json.out)).toEqual([
      expect.objectContaining({
        reference: paid.reference,
        laneId: 'vend-cli',
        sessionId: paid.sessionId,
        sold: 2500,
        authorized: 10000,
        captured: 2500,
        cancelled: 7500,
        refunded: 0,
        status: 'settled',
        owed: null,
      }),
    ]);
    const csv = await run(['payments', 'list', '--csv', '--lane', 'vend-cli']);
    expect(csv.out.split('\n')[0]).toBe(
      'reference,laneId,sessionId,currency,sold,authorized,captured,cancelled,refunded,status,reason,owed,owedAmount,createdAt,ageS',
    );
    expect(csv.out.split('\n')[1]).toContain(
      `${paid.reference},vend-cli,${paid.sessionId},NOK,2500,10000,2500,7500,0,settled,,,0,`,
    );
    expect((await run(['payments', 'list', '--outstanding'])).out).toBe('no payments');
  });

  it('refuses bad options with exit 2 and the usage, changing nothing', async () => {
    const both = await run(['payments', 'list', '--json', '--csv']);
    expect(both).toMatchObject({ code: 2 });
    expect(both.err).toContain('--json and --csv exclude each other');
    const since = await run(['payments', 'list', '--since', 'yesterday']);
    expect(since.code).toBe(2);
    expect(since.err).toContain('--since must be an ISO-8601 instant');
    const amount = await run(['payments', 'refund', paid.reference, '--amount', '12.50', '--yes']);
    expect(amount.code).toBe(2);
    expect(amount.err).toContain('--amount must be a positive integer of minor units');
    const ledger = await e2e.payment(paid.reference);
    expect(ledger?.aggregate.refundedAmount.value).toBe(0);
  });

  it('the admin API answers bad input with its exact problem and changes nothing', async () => {
    const bad = await e2e.admin(`/admin/payments?since=yesterday`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      type: 'https://checkin-gateway.dev/problems/invalid_query',
      title: 'The request is invalid',
      status: 400,
      code: 'invalid_query',
      detail: 'since must be an ISO-8601 instant, e.g. 2026-12-01T00:00:00Z',
    });
    const refund = await e2e.admin(`/admin/payments/${paid.reference}/refund`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: -5, refundId: 'x y' }),
    });
    expect(refund.status).toBe(422);
    expect(await refund.json()).toMatchObject({
      code: 'invalid_body',
      detail:
        'amount must be a positive integer of minor units; refundId must be 1-64 of A-Z a-z 0-9 . _ : -',
    });
    const unknown = await e2e.admin(`/admin/payments/cgnope-000000000000/refund`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 100, refundId: 'r-1' }),
    });
    expect(unknown.status).toBe(404);
    const shown = (await (await e2e.admin(`/admin/payments/${paid.reference}`)).json()) as {
      settlement: { refunds: unknown[] };
    };
    expect(shown.settlement.refunds).toEqual([]);
  });

  it('shows the whole timeline: session steps, Vipps calls, lane messages', async () => {
    const shown = await run(['payments', 'show', paid.reference]);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(`payment ${paid.reference}  lane vend-cli  session ${paid.sessionId}`);
    expect(shown.out).toContain('settlement: settled');
    expect(shown.out).toMatch(/vipps\s+session create ok/);
    expect(shown.out).toMatch(/vipps\s+session capture ok\s+amount=2500/);
    expect(shown.out).toMatch(/lane-message\s+session\.completed/);
    expect((await run(['payments', 'show', 'cgnope-000000000000'])).code).toBe(1);
  });

  it('refunds only after confirmation, once per refund, and the settlement carries it out', async () => {
    const declined = await run(['payments', 'refund', paid.reference, '--amount', '1000'], ['n']);
    expect(declined.code).toBe(1);
    expect(declined.questions).toEqual([
      `Refund 10.00 NOK of payment ${paid.reference} (lane vend-cli, sold 25.00 NOK)? [y/N] `,
    ]);
    const noTty = await run(['payments', 'refund', paid.reference, '--amount', '1000']);
    expect(noTty.code).toBe(1);
    expect(noTty.err).toContain('not refunded');
    const yes = await run(
      ['payments', 'refund', paid.reference, '--amount', '1000', '--reason', 'wrong item'],
      ['y'],
    );
    expect(yes.code).toBe(0);
    expect(yes.out).toMatch(/^accepted: /);
    const again = await run([
      'payments',
      'refund',
      paid.reference,
      '--amount',
      '1000',
      '--reason',
      'wrong item',
      '--yes',
    ]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^duplicate: /);
    const tooMuch = await run(['payments', 'refund', paid.reference, '--amount', '1501', '--yes']);
    expect(tooMuch.code).toBe(1);
    expect(tooMuch.err).toContain('exceeds');

    const settle = await run(['payments', 'settle', paid.reference]);
    expect(settle.code).toBe(0);
    expect(settle.out).toMatch(/^made 1 settlement\(s\) due now; worked \d+: \d+ settled, 0 need attention$/);
    const ledger = await e2e.payment(paid.reference);
    expect(ledger?.aggregate.refundedAmount.value).toBe(1000);
  });

  it('reconcile exits 0 when the ledgers agree and 1 with each difference Vipps shows', async () => {
    const clean = await run(['payments', 'reconcile']);
    expect(clean.code).toBe(0);
    expect(clean.out).toBe('checked 1 payment(s): 0 difference(s), 0 still settling');
    // Someone refunds 5.00 more in the merchant portal.
    const adjusted = await e2e.control('POST', `/emulator/v1/payments/${paid.reference}/adjust`, {
      msn: MSN,
      refunded: 1500,
    });
    expect(adjusted.status).toBe(200);
    const found = await run(['payments', 'reconcile', '--since', '2000-01-01T00:00:00Z']);
    expect(found.code).toBe(1);
    expect(found.out).toContain(
      `DIFFERENCE ${paid.reference} lane vend-cli (settled): refunded local 1000, Vipps 1500`,
    );
  });
});
