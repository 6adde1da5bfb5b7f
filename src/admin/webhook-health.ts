// Webhook health for operators: the registrations Vipps holds for each sales unit (MSN) of the lanes against
// what this gateway expects (its PUBLIC_WEBHOOK_URL; the check-in event and the eight ePayment events, in
// registrations kept apart per kind), when a verified delivery last arrived, and verification failures by
// problem code (the intake's checkin_webhook_auth_failures_total, since this process started).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock';
import type { Metrics } from '../http/metrics';
import type { VippsClient } from '../vipps/client';
import { checkRegistrationHealth } from '../vipps/registration-health';
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
  /** Which page of the sales units (sorted by MSN, WEBHOOK_HEALTH_PAGE_SIZE each); default 1, clamped. */
  readonly page?: number;
}

/** Sales units listed at Vipps per call (a large fleet has few MSNs, many lanes); more are on later pages. */
export const WEBHOOK_HEALTH_PAGE_SIZE = 50;

/**
 * The registrations part is the same check `doctor` and the hourly check run (checkRegistrationHealth: per MSN,
 * each kind needs one registration for the URL with all its events); this adds the per-registration listing,
 * the last delivery and the verification failures.
 */
export async function webhookHealth(deps: WebhookHealthDeps): Promise<WebhookHealth> {
  const failures: Record<string, number> = {};
  for (const v of (await deps.metrics.authFailures.get()).values) {
    const code = String(v.labels['code'] ?? 'unknown');
    failures[code] = (failures[code] ?? 0) + v.value;
  }
  const all = [...new Set(deps.msns())].sort();
  const pages = Math.max(1, Math.ceil(all.length / WEBHOOK_HEALTH_PAGE_SIZE));
  const page = Math.min(Math.max(1, deps.page ?? 1), pages);
  const msns = all.slice((page - 1) * WEBHOOK_HEALTH_PAGE_SIZE, page * WEBHOOK_HEALTH_PAGE_SIZE);
  const health = await checkRegistrationHealth(deps.vipps, msns, deps.expectedUrl());
  const errors = new Map(
    health.errors.map((e) => [e.msn, `cannot list the registrations at Vipps: ${e.error}`] as const),
  );
  const registrations: WebhookRegistrationHealth[] = msns.flatMap((msn) =>
    [...health.ours, ...health.others]
      .filter((w) => w.msn === msn)
      .map((w) => {
        const kind = kindOfEvents(w.events) ?? null;
        return {
          msn,
          id: w.id,
          url: w.url,
          events: w.events,
          urlMatches: health.ours.includes(w),
          kind,
          missingEvents: kind ? eventsOfKind(kind).filter((e) => !w.events.includes(e)) : [],
        };
      }),
  );
  const salesUnits: SalesUnitWebhookHealth[] = msns.map((msn) => {
    const error = errors.get(msn);
    if (error) return { msn, ok: false, missingEvents: [...DEFAULT_WEBHOOK_EVENTS], error };
    // A kind not served lacks all its events, or those its partial registration (kindHealth's `id`) lacks.
    const missingEvents = health.kinds
      .filter((k) => k.msn === msn && !k.ok)
      .flatMap((k) => {
        const partial = health.ours.find((w) => w.msn === msn && w.id === k.id);
        return eventsOfKind(k.kind).filter((e) => !partial?.events.includes(e));
      });
    return { msn, ok: missingEvents.length === 0, missingEvents, error: null };
  });
  return {
    expectedUrl: health.url,
    expectedEvents: [...DEFAULT_WEBHOOK_EVENTS],
    registrations: errors.size === msns.length && msns.length > 0 ? null : registrations,
    error: errors.values().next().value ?? null,
    salesUnits,
    ok: salesUnits.length > 0 && salesUnits.every((u) => u.ok),
    lastDeliveryAt: deps.activity?.lastDeliveryAt()?.toISOString() ?? null,
    verificationFailures: failures,
    page,
    pages,
    pageSize: WEBHOOK_HEALTH_PAGE_SIZE,
    total: all.length,
  };
}
