// The app counts signature failures and drops in Prometheus (`checkin_webhook_auth_failures_total{code}`,
// `checkin_webhook_drops_total{reason}`); on AWS nothing scrapes /metrics, so the same events are counted
// from the JSON log lines intake writes for them (src/intake/webhook-router.ts, handle-delivery.ts):
//   {"level":"warn","message":"webhook verification failed","code":"<verdict code>",...}
//   {"level":"warn","message":"webhook event dropped","reason":"stale_checkin",...}
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export const METRIC_NAMESPACE = 'CheckinGateway';
export const AUTH_FAILURE_MESSAGE = 'webhook verification failed';
export const DROP_MESSAGE = 'webhook event dropped';

export class LogMetrics extends Construct {
  readonly signatureFailures: cloudwatch.Metric;
  readonly staleDrops: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: { readonly serveLogs: logs.ILogGroup }) {
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
  }
}
