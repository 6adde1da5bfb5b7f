// Runs the registration check (registration-health.ts) at start and then every WEBHOOK_REGISTRATION_CHECK_S
// (default hourly) in a process that serves the webhook, and reports it three ways:
//  - the metric checkin_webhook_registration_ok{kind} (1 = every sales unit has it, 0 = one lacks it);
//  - a /readyz detail, "degraded", never failing: a missing registration is not fixed by taking this
//    instance out of the load balancer (every instance would go, and deliveries of the other kind, and Vipps's
//    retries of earlier events, would be refused too); it needs an operator, whom the body and the log tell;
//  - a log line at error level per missing registration, with the command that fixes it.
import { Gauge } from 'prom-client';
import type { Clock } from '../clock';
import type { Metrics } from '../http/metrics';
import type { Degraded, ReadinessCheck } from '../http/health';
import type { Logger } from '../log';
import type { VippsClient } from './client';
import { checkRegistrationHealth, okByKind, type RegistrationHealth } from './registration-health';

export interface RegistrationHealthRunnerOptions {
  readonly vipps: Pick<VippsClient, 'webhooks'>;
  /** The MSNs of the lanes loaded now (the lanes file may be reloaded). */
  readonly msns: () => readonly string[];
  readonly url: URL;
  readonly metrics: Pick<Metrics, 'registry'>;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Between checks; 0 = only the one at start. */
  readonly intervalMs: number;
}

export interface RegistrationHealthRunner {
  /** Checks now and updates the metric, the readiness detail and the log. */
  check(): Promise<RegistrationHealth>;
  /** The last result; undefined before the first check finished. */
  latest(): RegistrationHealth | undefined;
  readonly readiness: ReadinessCheck;
  stop(): void;
}

export const REGISTRATION_OK_METRIC = 'checkin_webhook_registration_ok';

export function createRegistrationHealthRunner(o: RegistrationHealthRunnerOptions): RegistrationHealthRunner {
  const gauge = new Gauge({
    name: REGISTRATION_OK_METRIC,
    help: 'Whether every sales unit has its webhook registration of this kind at Vipps (1) or one lacks it (0)',
    labelNames: ['kind'],
    registers: [o.metrics.registry],
  });
  let last: RegistrationHealth | undefined;
  let running: Promise<RegistrationHealth> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const stopped = new AbortController();

  const run = async (): Promise<RegistrationHealth> => {
    const health = await checkRegistrationHealth(o.vipps, o.msns(), o.url, o.clock.now(), stopped.signal);
    last = health;
    for (const [kind, ok] of Object.entries(okByKind(health)))
      if (ok !== undefined) gauge.set({ kind }, ok ? 1 : 0);
    for (const k of health.kinds)
      if (!k.ok)
        o.logger.error(
          'webhook registration missing at Vipps: deliveries of this kind do not reach the gateway',
          {
            kind: k.kind,
            msn: k.msn,
            url: health.url,
            problem: k.problem,
            fix: k.fix,
          },
        );
    for (const e of health.errors)
      o.logger.warn('could not check the webhook registrations at Vipps', { msn: e.msn, error: e.error });
    return health;
  };

  const check = (): Promise<RegistrationHealth> => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };

  if (o.intervalMs > 0) {
    timer = setInterval(() => void check().catch(() => undefined), o.intervalMs);
    timer.unref();
  }

  return {
    check,
    latest: () => last,
    readiness: {
      name: 'webhookRegistrations',
      check: async (): Promise<void | Degraded> => {
        // Only a registration known to be missing degrades; one that could not be checked (Vipps unreachable)
        // is a warning in the log, not a claim about the registration.
        const missing = last?.kinds.filter((k) => !k.ok) ?? [];
        if (!last || missing.length === 0) return undefined;
        return {
          degraded: `${missing.length} webhook registration(s) missing at Vipps (${missing.map((k) => `${k.kind} for MSN ${k.msn}`).join(', ')})`,
          detail: {
            checkedAt: last.checkedAt,
            url: last.url,
            missing: missing.map((k) => ({ msn: k.msn, kind: k.kind, problem: k.problem, fix: k.fix })),
            ...(last.errors.length > 0 ? { errors: last.errors } : {}),
          },
        };
      },
    },
    stop: () => {
      if (timer) clearInterval(timer);
      stopped.abort();
    },
  };
}
