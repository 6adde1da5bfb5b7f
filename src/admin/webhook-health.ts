// Webhook health for operators: the registrations Vipps holds for each sales unit (MSN) of the lanes against
// what this gateway expects (its PUBLIC_WEBHOOK_URL; the check-in event and the eight ePayment events, in
// registrations kept apart per kind), when a verified delivery last arrived, and verification failures by
// problem code (the intake's checkin_webhook_auth_failures_total, since this process started).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock';
import type { Metrics } from '../http/metrics';
import type { VippsClient } from '../vipps/client';
import { DEFAULT_WEBHOOK_EVENTS, eventsOfKind, kindOfEvents } from '../vipps/webhook-events';
import type { SalesUnitWebhookHealth, WebhookHealth, WebhookRegistrationHealth } from './types';

/** When the last webhook delivery was accepted (2xx), watched at the public listener. */
export interface WebhookActivity {
  observe(req: IncomingMessage, res: ServerResponse): void;
  lastDeliveryAt(): Date | null;
}

export function createWebhookActivity(path: string, clock: Clock): WebhookActivity {
  let last: Date | null = null;
  return {
    observe(req, res) {
      if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== path) return;
      res.once('finish', () => {
        if (res.statusCode >= 200 && res.statusCode < 300) last = clock.now();
      });
    },
    lastDeliveryAt: () => last,
  };
}

export interface WebhookHealthDeps {
  readonly vipps: Pick<VippsClient, 'webhooks'>;
  readonly expectedUrl: () => URL;
  /** The MSNs of the lanes file (each sales unit has its own registrations). */
  readonly msns: () => readonly string[];
  readonly metrics: Pick<Metrics, 'authFailures'>;
  readonly activity?: WebhookActivity;
}

/** At most this many sales units are listed at Vipps per call (a large fleet has few MSNs, many lanes). */
const MAX_SALES_UNITS = 50;

const errorText = (err: unknown) =>
  `cannot list the registrations at Vipps: ${err instanceof Error ? err.message : String(err)}`;

export async function webhookHealth(deps: WebhookHealthDeps): Promise<WebhookHealth> {
  const expectedUrl = deps.expectedUrl().href;
  const failures: Record<string, number> = {};
  for (const v of (await deps.metrics.authFailures.get()).values) {
    const code = String(v.labels['code'] ?? 'unknown');
    failures[code] = (failures[code] ?? 0) + v.value;
  }
  const msns = [...new Set(deps.msns())].sort().slice(0, MAX_SALES_UNITS);
  const listed = await Promise.all(
    msns.map(async (msn) => {
      try {
        return { msn, webhooks: await deps.vipps.webhooks.list({ msn }), error: null };
      } catch (err) {
        return { msn, webhooks: null, error: errorText(err) };
      }
    }),
  );
  const registrations: WebhookRegistrationHealth[] = [];
  const salesUnits: SalesUnitWebhookHealth[] = listed.map(({ msn, webhooks, error }) => {
    if (!webhooks) return { msn, ok: false, missingEvents: [...DEFAULT_WEBHOOK_EVENTS], error };
    for (const w of webhooks) {
      const kind = kindOfEvents(w.events) ?? null;
      registrations.push({
        msn,
        id: w.id,
        url: w.url,
        events: w.events,
        urlMatches: w.url === expectedUrl,
        kind,
        missingEvents: kind ? eventsOfKind(kind).filter((e) => !w.events.includes(e)) : [],
      });
    }
    const covered = new Set(webhooks.filter((w) => w.url === expectedUrl).flatMap((w) => w.events));
    const missingEvents = DEFAULT_WEBHOOK_EVENTS.filter((e) => !covered.has(e));
    return { msn, ok: missingEvents.length === 0, missingEvents, error: null };
  });
  const failed = listed.filter((l) => l.error !== null);
  return {
    expectedUrl,
    expectedEvents: [...DEFAULT_WEBHOOK_EVENTS],
    registrations: failed.length === listed.length && listed.length > 0 ? null : registrations,
    error: failed[0]?.error ?? null,
    salesUnits,
    ok: salesUnits.length > 0 && salesUnits.every((u) => u.ok),
    lastDeliveryAt: deps.activity?.lastDeliveryAt()?.toISOString() ?? null,
    verificationFailures: failures,
  };
}
