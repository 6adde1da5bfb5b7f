// End to end under an unreliable Vipps: 30% of the emulated API calls (token, ePayment) fail with 429/500/503
// or never answer. Every session must still end as it should, with one payment per check-in and the ledger's
// captured and released amounts exactly what the controllers reported.
import { waitFor } from '../support/wait-for';
import { startE2e, type E2e, type LaneSpec, type LedgerPayment } from './harness';

interface Case {
  readonly lane: LaneSpec;
  readonly dispense?: { readonly result: 'dispensed' | 'failed'; readonly amount?: number };
  readonly reject?: boolean;
  readonly final: string;
  readonly captured: number;
  readonly cancelled: number;
}

const vend = (n: number, dispense: Case['dispense'], captured: number, final: string): Case => ({
  lane: { id: `vend-${n}`, kind: 'vending', maxAmount: 10000 },
  ...(dispense ? { dispense } : {}),
  final,
  captured,
  cancelled: 10000 - captured,
});
const shop = (n: number, reject = false): Case => ({
  lane: { id: `shop-${n}`, kind: 'self-checkout', fixedAmount: 4900 },
  reject,
  final: reject ? 'session.failed' : 'session.paid',
  captured: reject ? 0 : 4900,
  cancelled: 0,
});

const CASES: readonly Case[] = [
  vend(1, { result: 'dispensed', amount: 2500 }, 2500, 'session.completed'),
  vend(2, { result: 'dispensed', amount: 10000 }, 10000, 'session.completed'),
  vend(3, { result: 'dispensed', amount: 100 }, 100, 'session.completed'),
  vend(4, { result: 'dispensed', amount: 7300 }, 7300, 'session.completed'),
  vend(5, { result: 'failed' }, 0, 'session.cancelled'),
  vend(6, { result: 'failed' }, 0, 'session.cancelled'),
  shop(1),
  shop(2),
  shop(3),
  shop(4, true),
];

describe('end to end: emulator faults at 30%', () => {
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startE2e({
      lanes: CASES.map((c) => c.lane),
      start: {
        // A held ("timed out") call is abandoned after 1 s, not Vipps's 10 s, to fit the test's budget.
        vipps: { timeoutMs: 1_000, deadlineMs: 8_000 },
        worker: {
          timing: { backoffBaseS: 1, backoffMaxS: 2, firstPollS: 1, pollEveryS: 1, opWatchdogS: 10 },
        },
        // A capture or cancel the session could not finish is the settlement's: retried within seconds here.
        settlement: { timing: { baseDelayS: 1, maxDelayS: 2 } },
      },
    });
  });
  afterAll(() => e2e.close());

  it('ends every session correctly and the ledger matches, with one payment per check-in', async () => {
    for (const c of CASES) {
      if (c.dispense)
        await e2e.control('PUT', `/emulator/v1/controllers/${c.lane.id}`, { dispense: c.dispense });
    }
    const fault = await e2e.control('POST', '/emulator/v1/faults', {
      api: '*',
      errorRate: 0.25,
      timeoutRate: 0.05,
      statuses: [429, 500, 503],
      seed: 7,
    });
    expect(fault.status).toBe(201);

    const sessions = await Promise.all(
      CASES.map((c) => e2e.scan(c.lane.id, { action: c.reject ? 'reject' : 'approve' })),
    );
    const finals = await Promise.all(sessions.map((s) => e2e.final(s, 60_000)));
    await e2e.control('DELETE', '/emulator/v1/faults');
    // Money a session handed over is settled by its settlement's runner, on its own passes.
    await waitFor(
      async () => {
        const res = await e2e.admin(`/admin/payments?outstanding=true`);
        return ((await res.json()) as { payments: unknown[] }).payments.length === 0 ? true : undefined;
      },
      { timeoutMs: 30_000, what: 'every settlement to finish' },
    );
    const settlements = (await (await e2e.admin(`/admin/payments`)).json()) as {
      payments: { status: string }[];
    };
    expect(settlements.payments.map((p) => p.status)).toEqual(CASES.map(() => 'settled'));

    expect(finals.map((f) => f.type)).toEqual(CASES.map((c) => c.final));
    const ledger = new Map((await e2e.payments()).map((p) => [p.reference, p]));
    expect(ledger.size).toBe(CASES.length);
    const amounts = (p: LedgerPayment | undefined) => ({
      captured: p?.aggregate.capturedAmount.value,
      cancelled: p?.aggregate.cancelledAmount.value,
      captures: p?.events.filter((e) => e === 'CAPTURED').length,
    });
    expect(sessions.map((s) => amounts(ledger.get(s.reference)))).toEqual(
      CASES.map((c) => ({ captured: c.captured, cancelled: c.cancelled, captures: c.captured > 0 ? 1 : 0 })),
    );

    // The faults were really met: the gateway's own count of Vipps calls by status (0 = no answer in time).
    const calls = await vippsCallsByStatus(e2e);
    const failed = (calls['429'] ?? 0) + (calls['500'] ?? 0) + (calls['503'] ?? 0) + (calls['0'] ?? 0);
    expect(failed).toBeGreaterThanOrEqual(3);
    expect(failed / Object.values(calls).reduce((a, b) => a + b, 0)).toBeGreaterThan(0.1);
  }, 90_000);
});

async function vippsCallsByStatus(e2e: E2e): Promise<Record<string, number>> {
  const text = await (await fetch(`${e2e.gateway.url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^checkin_vipps_calls_total\{[^}]*status="(\d+)"[^}]*\} (\d+)$/gm)) {
    counts[m[1] as string] = (counts[m[1] as string] ?? 0) + Number(m[2]);
  }
  return counts;
}
