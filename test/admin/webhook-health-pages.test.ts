// Webhook health for a fleet with more sales units than one call lists: pages of 50 MSNs sorted, each listed
// at Vipps only when its page is asked for, `ok` about that page, and a page past the end clamped to the last.
// Vipps's webhooks API is a stand-in here (its registrations per MSN); the HTTP route and console page are
// covered against the emulator in resources.test.ts and the console tests.
import { WEBHOOK_HEALTH_PAGE_SIZE, webhookHealth } from '../../src/admin/webhook-health';
import { CHECKED_IN_EVENT, EPAYMENT_WEBHOOK_EVENTS } from '../../src/vipps/webhook-events';
import type { Webhook } from '../../src/vipps/webhooks';

const URL_OURS = 'https://pay.example.com/webhooks/vipps';
const msns = Array.from({ length: 120 }, (_, i) => String(200_000 + ((i * 7919) % 120)));
const BROKEN = String(200_000 + 101); // registered without its check-in registration

function fakeVipps(listed: string[]) {
  return {
    webhooks: {
      list: async ({ msn }: { msn: string }): Promise<Webhook[]> => {
        listed.push(msn);
        const epayment = { id: `e-${msn}`, url: URL_OURS, events: EPAYMENT_WEBHOOK_EVENTS };
        if (msn === BROKEN) return [epayment];
        return [{ id: `c-${msn}`, url: URL_OURS, events: [CHECKED_IN_EVENT] }, epayment];
      },
    },
  } as never;
}

async function health(page: number | undefined, listed: string[] = []) {
  return webhookHealth({
    vipps: fakeVipps(listed),
    expectedUrl: () => new URL(URL_OURS),
    msns: () => [...msns, ...msns], // lanes share MSNs: each sales unit once
    metrics: { authFailures: { get: async () => ({ values: [] }) } } as never,
    ...(page === undefined ? {} : { page }),
  });
}

describe('webhook health over many sales units', () => {
  it('lists the first 50 MSNs, sorted, on page 1 and says how many there are', async () => {
    const listed: string[] = [];
    const h = await health(undefined, listed);
    expect(WEBHOOK_HEALTH_PAGE_SIZE).toBe(50);
    expect({ page: h.page, pages: h.pages, pageSize: h.pageSize, total: h.total }).toEqual({
      page: 1,
      pages: 3,
      pageSize: 50,
      total: 120,
    });
    const first = [...new Set(msns)].sort().slice(0, 50);
    expect(h.salesUnits.map((u) => u.msn)).toEqual(first);
    expect(listed).toEqual(first);
    expect(h.ok).toBe(true);
  });

  it('page 3 holds the last 20 and finds the one without its check-in registration', async () => {
    const listed: string[] = [];
    const h = await health(3, listed);
    expect(h.salesUnits.map((u) => u.msn)).toEqual([...new Set(msns)].sort().slice(100));
    expect(listed).toHaveLength(20);
    expect(h.ok).toBe(false);
    expect(h.salesUnits.filter((u) => !u.ok)).toEqual([
      { msn: BROKEN, ok: false, missingEvents: [CHECKED_IN_EVENT], error: null },
    ]);
  });

  it('a page past the end is the last page', async () => {
    const h = await health(99);
    expect(h.page).toBe(3);
    expect(h.salesUnits).toHaveLength(20);
  });
});
