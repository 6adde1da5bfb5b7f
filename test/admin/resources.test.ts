// Every /admin/v1 resource against a running gateway (in-process sandbox, the emulator over HTTP): lanes,
// sessions with their timeline, payments and an audited refund, webhook health, the configuration with every
// secret masked, the audit trail, and the metrics the admin issue adds.
import { sendSigned, signedRequest } from '../support/signed-request';
import { waitFor } from '../support/wait-for';
import { startE2e, type E2e, type ScannedSession } from '../e2e/harness';
import type {
  ConfigSetting,
  LaneDetail,
  LaneSummary,
  Page,
  SessionDetail,
  SessionsPage,
  WebhookHealth,
} from '../../src/admin/types';
import type { AuditPage } from '../../src/admin/audit';

const OPERATOR = 'ops-token-0123456789abcdef';

/** The admin API's 400 for a bad query parameter. */
const invalidQuery = (detail: string) => ({
  type: 'https://checkin-gateway.dev/problems/invalid_query',
  title: 'The request is invalid',
  status: 400,
  code: 'invalid_query',
  detail,
});

describe('admin API resources', () => {
  let e2e: E2e;
  let paid: ScannedSession;
  let dropped: ScannedSession;
  const admin = (p: string, init: RequestInit = {}) =>
    fetch(`${e2e.gateway.adminUrl ?? ''}${p}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${OPERATOR}` },
    });
  const json = async <T>(p: string): Promise<T> => {
    const res = await admin(p);
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    e2e = await startE2e({
      lanes: [
        { id: 'vend-a', kind: 'vending', maxAmount: 10000 },
        { id: 'vend-b', kind: 'vending', maxAmount: 10000 },
      ],
      env: { OPERATOR_TOKENS: `ops:${OPERATOR}` },
    });
    await e2e.control('PUT', '/emulator/v1/controllers/vend-a', {
      dispense: { result: 'dispensed', amount: 2500 },
    });
    paid = await e2e.scan('vend-a');
    await e2e.final(paid);
    dropped = await e2e.scan('vend-b', { action: 'reject' });
    await e2e.final(dropped);
  }, 120_000);
  afterAll(() => e2e?.close());

  it('lists lanes with state, last outcome, today and channel health', async () => {
    const page = await json<Page<LaneSummary>>('/admin/v1/lanes');
    expect({ total: page.total, page: page.page, pageSize: page.pageSize, pages: page.pages }).toEqual({
      total: 2,
      page: 1,
      pageSize: 50,
      pages: 1,
    });
    const a = page.items.find((l) => l.id === 'vend-a');
    expect(a).toMatchObject({
      kind: 'vending',
      description: 'e2e vend-a',
      enabled: true,
      state: 'idle',
      currentSession: null,
      lastOutcome: { sessionId: paid.sessionId, state: 'completed', reason: null },
      today: { count: 1, amount: 2500, currency: 'NOK' },
      channel: { type: 'simulated', backlog: 0, oldestUndeliveredAgeS: null, failed: 0 },
    });
    expect(a?.channel.lastDeliveredAt).not.toBeNull();
    const b = page.items.find((l) => l.id === 'vend-b');
    expect(b?.lastOutcome).toMatchObject({ sessionId: dropped.sessionId, state: 'failed' });
    expect(b?.today).toEqual({ count: 0, amount: 0, currency: 'NOK' });
  });

  it('filters and pages lanes; a bad filter is 400 invalid_query', async () => {
    expect((await json<Page<LaneSummary>>('/admin/v1/lanes?q=VEND-B')).items.map((l) => l.id)).toEqual([
      'vend-b',
    ]);
    expect((await json<Page<LaneSummary>>('/admin/v1/lanes?state=busy')).total).toBe(0);
    const second = await json<Page<LaneSummary>>('/admin/v1/lanes?pageSize=1&page=2');
    expect({ ids: second.items.map((l) => l.id), total: second.total, pages: second.pages }).toEqual({
      ids: ['vend-b'],
      total: 2,
      pages: 2,
    });
    const bad = await admin('/admin/v1/lanes?state=asleep');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual(invalidQuery('state must be one of idle, busy, disabled'));
    expect((await admin('/admin/v1/lanes?pageSize=501')).status).toBe(400);
  });

  it('shows one lane with its recent sessions; an unknown lane is 404 lane_not_found', async () => {
    const lane = await json<LaneDetail>('/admin/v1/lanes/vend-a');
    expect(lane.recentSessions.map((s) => [s.id, s.state, s.captured])).toEqual([
      [paid.sessionId, 'completed', 2500],
    ]);
    const missing = await admin('/admin/v1/lanes/nope');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('lane_not_found');
  });

  it('lists sessions by lane, state and time, newest first, with a cursor', async () => {
    const all = await json<SessionsPage>('/admin/v1/sessions');
    expect(all.items.map((s) => s.id)).toEqual([dropped.sessionId, paid.sessionId]);
    expect(all.nextCursor).toBeNull();
    expect((await json<SessionsPage>('/admin/v1/sessions?lane=vend-a')).items.map((s) => s.id)).toEqual([
      paid.sessionId,
    ]);
    expect((await json<SessionsPage>('/admin/v1/sessions?state=completed')).items.map((s) => s.id)).toEqual([
      paid.sessionId,
    ]);
    expect((await json<SessionsPage>('/admin/v1/sessions?state=active')).items).toEqual([]);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await json<SessionsPage>(`/admin/v1/sessions?from=${future}`)).items).toEqual([]);
    const first = await json<SessionsPage>('/admin/v1/sessions?limit=1');
    expect(first.items.map((s) => s.id)).toEqual([dropped.sessionId]);
    const next = await json<SessionsPage>(`/admin/v1/sessions?limit=1&cursor=${first.nextCursor ?? ''}`);
    expect(next.items.map((s) => s.id)).toEqual([paid.sessionId]);
    expect(next.nextCursor).toBeNull();
    for (const [q, detail] of [
      ['state=sleeping', 'state must be one of active, awaiting-sale, payment-requested'],
      ['from=yesterday', 'from must be an ISO-8601 instant'],
      ['cursor=zzz', 'cursor must be the nextCursor of a previous page'],
    ] as const) {
      const res = await admin(`/admin/v1/sessions?${q}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { detail: string }).detail).toContain(detail);
    }
  });

  it("shows a session's whole timeline and never its customer token", async () => {
    const res = await admin(`/admin/v1/sessions/${paid.sessionId}`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).not.toMatch(/customerToken/i);
    const detail = JSON.parse(text) as SessionDetail;
    expect(detail.session).toMatchObject({
      id: paid.sessionId,
      laneId: 'vend-a',
      state: 'completed',
      reference: paid.reference,
      captured: 2500,
      dispensedValue: 2500,
    });
    expect(detail.payment).toMatchObject({ reference: paid.reference, captured: 2500 });
    const sources = new Set(detail.timeline.map((t) => t.source));
    expect([...sources].sort()).toEqual(['lane-message', 'session', 'vipps']);
    expect(detail.timeline.map((t) => t.what)).toContain('session.completed');
    expect((await admin('/admin/v1/sessions/ses_nope')).status).toBe(404);
  });

  it('refunds through /admin/v1/payments, audited with the operator label; bad input changes nothing', async () => {
    const list = await json<{ payments: { reference: string }[] }>('/admin/v1/payments');
    expect(list.payments.map((p) => p.reference)).toContain(paid.reference);
    const bad = await admin(`/admin/v1/payments/${paid.reference}/refund`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 0, refundId: 'r 1' }),
    });
    expect(bad.status).toBe(422);
    const unchanged = await json<{ settlement: { refunds: unknown[] } }>(
      `/admin/v1/payments/${paid.reference}`,
    );
    expect(unchanged.settlement.refunds).toEqual([]);
    const ok = await admin(`/admin/v1/payments/${paid.reference}/refund`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 500, refundId: 'admin-r1', reason: 'jammed' }),
    });
    expect(ok.status).toBe(202);
    const audit = await json<AuditPage>('/admin/v1/audit?limit=2');
    expect(audit.entries.map((e) => [e.operator, e.action, e.target, e.outcome])).toEqual([
      ['ops', 'payment.refund', paid.reference, 'accepted'],
      ['ops', 'payment.refund', paid.reference, 'invalid'],
    ]);
    expect(audit.entries[0]?.detail).toEqual({ refundId: 'admin-r1', amount: 500 });
    const shown = await json<{ settlement: { refunds: { requestedBy: string }[] } }>(
      `/admin/v1/payments/${paid.reference}`,
    );
    expect(shown.settlement.refunds.map((r) => r.requestedBy)).toEqual(['operator:ops']);
    const metrics = await (await fetch(`${e2e.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/^checkin_admin_actions_total\{action="payment.refund",outcome="accepted"\} 1$/m);
    expect(metrics).toMatch(/^checkin_admin_actions_total\{action="payment.refund",outcome="invalid"\} 1$/m);
  });

  it('reports webhook health: the registration, the last delivery and verification failures by code', async () => {
    const url = e2e.gateway.publicWebhookUrl;
    const forged = await sendSigned(
      url,
      signedRequest({ url, secret: 'not-the-secret', body: '{}', date: new Date() }),
    );
    expect(forged.status).toBe(401);
    const health = await json<WebhookHealth>('/admin/v1/webhooks/health');
    expect(health).toMatchObject({ expectedUrl: url.href, ok: true, error: null });
    expect(health.salesUnits).toEqual([{ msn: '123456', ok: true, missingEvents: [], error: null }]);
    const ours = (health.registrations ?? []).filter((r) => r.urlMatches);
    expect(ours.map((r) => [r.msn, r.kind, r.missingEvents]).sort()).toEqual([
      ['123456', 'checkin', []],
      ['123456', 'epayment', []],
    ]);
    expect(health.lastDeliveryAt).not.toBeNull();
    expect({ page: health.page, pages: health.pages, total: health.total }).toEqual({
      page: 1,
      pages: 1,
      total: 1,
    });
    const bad = await admin('/admin/v1/webhooks/health?page=0');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual(invalidQuery('page must be an integer from 1 to 1000000'));
    expect(Object.values(health.verificationFailures).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
  });

  it('summarises the configuration with every secret masked', async () => {
    const res = await admin('/admin/v1/config');
    const text = await res.text();
    const settings = (JSON.parse(text) as { settings: ConfigSetting[] }).settings;
    const byName = new Map(settings.map((s) => [s.name, s]));
    expect(byName.get('ADMIN_TOKEN')).toEqual({ name: 'ADMIN_TOKEN', value: '****', secret: true });
    expect(byName.get('OPERATOR_TOKENS')).toEqual({
      name: 'OPERATOR_TOKENS',
      value: 'ops:****',
      secret: true,
    });
    expect(byName.get('CONTROLLER_JWT_KEYS')).toEqual({
      name: 'CONTROLLER_JWT_KEYS',
      value: '****',
      secret: true,
    });
    expect(byName.get('VIPPS_ENV')?.value).toBe('sandbox');
    for (const secret of [OPERATOR, e2e.adminToken, ...e2e.gateway.webhookSecrets])
      expect(text).not.toContain(secret);
    expect(text).not.toMatch(/hs256:[^*]/);
  });

  it('exports sessions in progress, outbox backlog and dead letters before a scrape', async () => {
    const metrics = await waitFor(async () => {
      const text = await (await fetch(`${e2e.gateway.url}/metrics`)).text();
      return /^checkin_outbox_backlog\{channel="simulated"\} 0$/m.test(text) ? text : undefined;
    });
    expect(metrics).toMatch(/^checkin_outbox_oldest_undelivered_seconds\{channel="simulated"\} 0$/m);
    expect(metrics).toMatch(/^checkin_dead_letters\{kind="intake"\} \d+$/m);
    expect(metrics).toMatch(/^checkin_dead_letters\{kind="job"\} 0$/m);
    expect(metrics).toMatch(/^checkin_dead_letters\{kind="lane-message"\} 0$/m);
    expect(metrics).toMatch(/^# TYPE checkin_sessions_active gauge$/m);
    expect(metrics).not.toMatch(/^checkin_sessions_active\{/m);
  });
});
