// Prometheus metrics, one registry per app instance so tests can run several apps in one process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SettlementMetrics } from '../settlement/metrics';

export interface Metrics extends SettlementMetrics {
  readonly registry: Registry;
  /** Webhook requests by outcome: accepted, duplicate, dropped, rejected (4xx), error (5xx). */
  readonly webhookRequests: Counter<'outcome'>;
  /** Verified but unusable events by reason (unknown_lane, lane_disabled, stale_checkin, ...). */
  readonly drops: Counter<'reason'>;
  /** Verification failures by problem code. */
  readonly authFailures: Counter<'code'>;
  readonly intakeLatency: Histogram<'outcome'>;
  readonly queueDepth: Gauge<'state'>;
  /** Sessions ended, by lane kind and final state (worker). */
  readonly sessionsEnded: Counter<'kind' | 'state'>;
  /** Vipps API calls by operation and status class. */
  readonly vippsCalls: Counter<'operation' | 'status'>;
  /** Vipps refusals only a person can fix (5010–5100 such as 5080, 401/403): src/vipps/error-code-alerts.ts. */
  readonly vippsOperatorAction: Counter<'operation' | 'code'>;
  /** Sessions not yet final, by lane kind and state (refreshed before a scrape, src/admin/scrape-gauges.ts). */
  readonly sessionsActive: Gauge<'kind' | 'state'>;
  /** Lane messages not yet delivered (nor failed), by controller channel type. */
  readonly outboxBacklog: Gauge<'channel'>;
  readonly outboxOldestUndeliveredSeconds: Gauge<'channel'>;
  /** Dead letters kept for an operator, by kind: intake, job, lane-message. */
  readonly deadLetters: Gauge<'kind'>;
  /** Mutating admin calls by action and outcome (src/admin/audit.ts). */
  readonly adminActions: Counter<'action' | 'outcome'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    webhookRequests: new Counter({
      name: 'checkin_webhook_requests_total',
      help: 'Vipps webhook requests by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    drops: new Counter({
      name: 'checkin_webhook_drops_total',
      help: 'Verified Vipps events answered 2xx and dropped, by reason',
      labelNames: ['reason'],
      registers,
    }),
    authFailures: new Counter({
      name: 'checkin_webhook_auth_failures_total',
      help: 'Webhook requests that failed verification, by problem code',
      labelNames: ['code'],
      registers,
    }),
    intakeLatency: new Histogram({
      name: 'checkin_intake_duration_seconds',
      help: 'Time from request received to response, by outcome',
      labelNames: ['outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'checkin_queue_jobs',
      help: 'Queue depth by state (ready, in_flight, delayed, dead)',
      labelNames: ['state'],
      registers,
    }),
    sessionsEnded: new Counter({
      name: 'checkin_sessions_ended_total',
      help: 'Lane sessions that reached a final state',
      labelNames: ['kind', 'state'],
      registers,
    }),
    settlementOutstanding: new Gauge({
      name: 'checkin_settlement_outstanding',
      help: 'Payments whose settlement still owes an operation, by the operation owed (capture, cancel, refund, verify)',
      labelNames: ['operation'],
      registers,
    }),
    settlementOutstandingAmount: new Gauge({
      name: 'checkin_settlement_outstanding_amount',
      help: 'Amount still owed by open settlements, in minor units (øre, cents), by operation',
      labelNames: ['operation'],
      registers,
    }),
    settlementOldestOutstandingSeconds: new Gauge({
      name: 'checkin_settlement_oldest_outstanding_seconds',
      help: 'Age of the oldest settlement still open (0 when none)',
      registers,
    }),
    settlementNeedsAttention: new Gauge({
      name: 'checkin_settlement_needs_attention',
      help: 'Payments whose settlement cannot finish on its own and needs an operator',
      registers,
    }),
    vippsCalls: new Counter({
      name: 'checkin_vipps_calls_total',
      help: 'Calls to Vipps APIs by operation and HTTP status',
      labelNames: ['operation', 'status'],
      registers,
    }),
    vippsOperatorAction: new Counter({
      name: 'checkin_vipps_operator_action_total',
      help: 'Vipps refusals that need an operator (sales-unit setup, keys, MSN: e.g. 5080 push not allowed), by operation and code',
      labelNames: ['operation', 'code'],
      registers,
    }),
    sessionsActive: new Gauge({
      name: 'checkin_sessions_active',
      help: 'Lane sessions not yet final, by lane kind and state',
      labelNames: ['kind', 'state'],
      registers,
    }),
    outboxBacklog: new Gauge({
      name: 'checkin_outbox_backlog',
      help: 'Lane messages waiting for delivery, by controller channel',
      labelNames: ['channel'],
      registers,
    }),
    outboxOldestUndeliveredSeconds: new Gauge({
      name: 'checkin_outbox_oldest_undelivered_seconds',
      help: 'Age of the oldest lane message waiting for delivery, by controller channel (0 when none)',
      labelNames: ['channel'],
      registers,
    }),
    deadLetters: new Gauge({
      name: 'checkin_dead_letters',
      help: 'Dead letters kept for an operator, by kind (intake, job, lane-message)',
      labelNames: ['kind'],
      registers,
    }),
    adminActions: new Counter({
      name: 'checkin_admin_actions_total',
      help: 'Mutating admin API calls, by action and outcome',
      labelNames: ['action', 'outcome'],
      registers,
    }),
  };
}
