// Webhook health for operators: the registrations Vipps holds against what this gateway expects (its
// PUBLIC_WEBHOOK_URL and the events it needs), when a verified delivery last arrived, and verification
// failures by problem code (the intake's checkin_webhook_auth_failures_total, since this process started).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock';
import type { Metrics } from '../http/metrics';
import type { VippsClient } from '../vipps/client';
import { DEFAULT_WEBHOOK_EVENTS } from '../vipps/webhook-events';
import type { WebhookHealth, WebhookRegistrationHealth } from './types';

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
  readonly metrics: Pick<Metrics, 'authFailures'>;
  readonly activity?: WebhookActivity;
}

export async function webhookHealth(deps: WebhookHealthDeps): Promise<WebhookHealth> {
  const expectedUrl = deps.expectedUrl().href;
  const expectedEvents = [...DEFAULT_WEBHOOK_EVENTS];
  const failures: Record<string, number> = {};
  for (const v of (await deps.metrics.authFailures.get()).values) {
    const code = String(v.labels['code'] ?? 'unknown');
    failures[code] = (failures[code] ?? 0) + v.value;
  }
  let registrations: WebhookRegistrationHealth[] | null = null;
  let error: string | null = null;
  try {
    registrations = (await deps.vipps.webhooks.list({})).map((w) => ({
      id: w.id,
      url: w.url,
      events: w.events,
      urlMatches: w.url === expectedUrl,
      missingEvents: expectedEvents.filter((e) => !w.events.includes(e)),
    }));
  } catch (err) {
    error = `cannot list the registrations at Vipps: ${err instanceof Error ? err.message : String(err)}`;
  }
  const ours = (registrations ?? []).filter((r) => r.urlMatches);
  const covered = new Set(ours.flatMap((r) => r.events));
  return {
    expectedUrl,
    expectedEvents,
    registrations,
    error,
    ok: ours.length > 0 && expectedEvents.every((e) => covered.has(e)),
    lastDeliveryAt: deps.activity?.lastDeliveryAt()?.toISOString() ?? null,
    verificationFailures: failures,
  };
}
