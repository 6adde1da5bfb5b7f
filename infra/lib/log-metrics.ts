// The app counts signature failures and drops in Prometheus (`checkin_webhook_auth_failures_total{code}`,
// `checkin_webhook_drops_total{reason}`); on AWS nothing scrapes /metrics, so the same events are counted
// from the JSON log lines intake writes for them (src/intake/webhook-router.ts, handle-delivery.ts):
//   {"level":"warn","message":"webhook verification failed","code":"<verdict code>",...}
//   {"level":"warn","message":"webhook event dropped","reason":"stale_checkin",...}
//
// Settlement (the `work` role) is measured the same way. The Prometheus gauges
// (`checkin_settlement_oldest_outstanding_seconds`, `checkin_settlement_needs_attention`) are repeated on
// the line the settlement runner writes after every pass (src/settlement/runner.ts), and each settlement
// that ends needs-attention writes its own line (src/settlement/machine.ts):
//   {"level":"info","message":"settlement pass","event":"settlement-pass","oldestOutstandingS":<n>,"needsAttention":<n>,"outstanding":<n>,...}
//   {"level":"error","message":"settlement settlement-needs-attention","event":"settlement-needs-attention","reference":...,"reason":...}
// The pass line's numbers must be JSON numbers (a string never becomes a metric value).
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export const METRIC_NAMESPACE = 'CheckinGateway';
export const AUTH_FAILURE_MESSAGE = 'webhook verification failed';
export const DROP_MESSAGE = 'webhook event dropped';
export const SETTLEMENT_PASS_EVENT = 'settlement-pass';
export const NEEDS_ATTENTION_EVENT = 'settlement-needs-attention';
/**
 * The worker's once-a-minute line about lane messages waiting for their controller (src/admin/outbox-backlog-log.ts):
 *   {"level":"info","message":"outbox backlog","event":"outbox-backlog","oldestUndeliveredS":<n>,"lanesBehind":<n>,"pending":<n>,
 *    "oldestLaneId":<id|null>,"behindLaneIds":[…]}
 */
export const OUTBOX_BACKLOG_EVENT = 'outbox-backlog';
/**
 * Then one line per lane behind (at most 100, most behind first):
 *   {"level":"warn","message":"lane messages behind","event":"lane-messages-behind","laneId":<id>,"oldestUndeliveredS":<n>,"pending":<n>}
 * counted as a metric with a LaneId dimension, which the per-lane alarm queries with Metrics Insights.
 */
export const LANE_BEHIND_EVENT = 'lane-messages-behind';
export const LANE_BEHIND_METRIC = 'LaneMessageOldestUndeliveredByLaneSeconds';

export interface LogMetricsProps {
  readonly serveLogs: logs.ILogGroup;
  readonly workLogs: logs.ILogGroup;
}

export class LogMetrics extends Construct {
  readonly signatureFailures: cloudwatch.Metric;
  readonly staleDrops: cloudwatch.Metric;
  /** Age in seconds of the oldest settlement still owing an operation (0 when none), per runner pass. */
  readonly settlementOldestOutstanding: cloudwatch.Metric;
  /** How many settlements are needs-attention right now, per runner pass: a gauge, read as Maximum. */
  readonly settlementNeedsAttention: cloudwatch.Metric;
  /** One per settlement that has just ended needs-attention: a count, read as Sum. */
  readonly settlementNeedsAttentionEvents: cloudwatch.Metric;
  /** Age in seconds of the oldest lane message not yet delivered to its controller (0 when none). */
  readonly laneMessageOldestUndelivered: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: LogMetricsProps) {
    super(scope, id);
    const authFailures = new logs.MetricFilter(this, 'SignatureFailures', {
      logGroup: props.serveLogs,
      filterPattern: logs.FilterPattern.stringValue('$.message', '=', AUTH_FAILURE_MESSAGE),
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'WebhookSignatureFailures',
      metricValue: '1',
      unit: cloudwatch.Unit.COUNT,
    });
    const stale = new logs.MetricFilter(this, 'StaleDrops', {
      logGroup: props.serveLogs,
      filterPattern: logs.FilterPattern.all(
        logs.FilterPattern.stringValue('$.message', '=', DROP_MESSAGE),
        logs.FilterPattern.stringValue('$.reason', '=', 'stale_checkin'),
      ),
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'StaleCheckinDrops',
      metricValue: '1',
      unit: cloudwatch.Unit.COUNT,
    });
    this.signatureFailures = authFailures.metric({ statistic: 'Sum' });
    this.staleDrops = stale.metric({ statistic: 'Sum' });

    // A metric filter publishes one metric, so the pass line feeds two filters with the same pattern.
    const passLine = logs.FilterPattern.stringValue('$.event', '=', SETTLEMENT_PASS_EVENT);
    const oldest = new logs.MetricFilter(this, 'SettlementOldestOutstanding', {
      logGroup: props.workLogs,
      filterPattern: passLine,
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'SettlementOldestOutstandingSeconds',
      metricValue: '$.oldestOutstandingS',
      unit: cloudwatch.Unit.SECONDS,
    });
    const attention = new logs.MetricFilter(this, 'SettlementNeedsAttention', {
      logGroup: props.workLogs,
      filterPattern: passLine,
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'SettlementNeedsAttention',
      metricValue: '$.needsAttention',
      unit: cloudwatch.Unit.COUNT,
    });
    const attentionEvents = new logs.MetricFilter(this, 'SettlementNeedsAttentionEvents', {
      logGroup: props.workLogs,
      filterPattern: logs.FilterPattern.stringValue('$.event', '=', NEEDS_ATTENTION_EVENT),
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'SettlementNeedsAttentionEvents',
      metricValue: '1',
      unit: cloudwatch.Unit.COUNT,
    });
    // Several work tasks each log the same store-wide numbers: Maximum, never Sum or Average.
    this.settlementOldestOutstanding = oldest.metric({ statistic: 'Maximum' });
    this.settlementNeedsAttention = attention.metric({ statistic: 'Maximum' });
    this.settlementNeedsAttentionEvents = attentionEvents.metric({ statistic: 'Sum' });

    const undelivered = new logs.MetricFilter(this, 'LaneMessageOldestUndelivered', {
      logGroup: props.workLogs,
      filterPattern: logs.FilterPattern.stringValue('$.event', '=', OUTBOX_BACKLOG_EVENT),
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'LaneMessageOldestUndeliveredSeconds',
      metricValue: '$.oldestUndeliveredS',
      unit: cloudwatch.Unit.SECONDS,
    });
    this.laneMessageOldestUndelivered = undelivered.metric({ statistic: 'Maximum' });
    // One time series per lane behind; lanes come and go with the lanes file, so the alarm queries them all.
    new logs.MetricFilter(this, 'LaneMessagesBehind', {
      logGroup: props.workLogs,
      filterPattern: logs.FilterPattern.stringValue('$.event', '=', LANE_BEHIND_EVENT),
      metricNamespace: METRIC_NAMESPACE,
      metricName: LANE_BEHIND_METRIC,
      metricValue: '$.oldestUndeliveredS',
      dimensions: { LaneId: '$.laneId' },
      unit: cloudwatch.Unit.SECONDS,
    });
  }
}
