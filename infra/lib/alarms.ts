// Alarms that page through one SNS topic. The topic is encrypted with a customer-managed key because
// CloudWatch must be allowed to use the key to publish, which the AWS-managed aws/sns key never allows.
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LANE_BEHIND_METRIC, METRIC_NAMESPACE } from './log-metrics';

export interface AlarmsProps {
  readonly intake: sqs.IQueue;
  readonly intakeDlq: sqs.IQueue;
  readonly timersDlq: sqs.IQueue;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly signatureFailures: cloudwatch.Metric;
  readonly staleDrops: cloudwatch.Metric;
  readonly settlementOldestOutstanding: cloudwatch.Metric;
  readonly settlementNeedsAttention: cloudwatch.Metric;
  readonly settlementNeedsAttentionEvents: cloudwatch.Metric;
  readonly laneMessageOldestUndelivered: cloudwatch.Metric;
  readonly intakeAgeAlarmS: number;
  readonly laneMessageAgeAlarmS: number;
  readonly settlementAgeAlarmS: number;
  readonly authFailureThreshold: number;
  readonly staleDropThreshold: number;
  readonly email: string | undefined;
}

export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const key = new kms.Key(this, 'TopicKey', {
      description: 'checkin-gateway alarm topic',
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        // In a key policy "*" means this key.
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'checkin-gateway alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    const minute = Duration.minutes(1);

    this.add('IntakeDlqNotEmpty', {
      alarmDescription:
        'Jobs were dead-lettered on the intake DLQ: inspect, fix and redrive (README "AWS deployment").',
      metric: props.intakeDlq.metricApproximateNumberOfMessagesVisible({
        period: minute,
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });
    this.add('TimersDlqNotEmpty', {
      alarmDescription:
        'Timer jobs were dead-lettered: sessions may be stuck until the sweeper reconciles them.',
      metric: props.timersDlq.metricApproximateNumberOfMessagesVisible({
        period: minute,
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });
    this.add('IntakeOldestMessageAge', {
      alarmDescription: `A job has waited more than ${props.intakeAgeAlarmS} s on the intake queue: workers are behind or a lane is stuck.`,
      metric: props.intake.metricApproximateAgeOfOldestMessage({ period: minute, statistic: 'Maximum' }),
      threshold: props.intakeAgeAlarmS,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });

    const alb = props.loadBalancer.metrics;
    const fiveMinutes = Duration.minutes(5);
    this.add('Http5xxRate', {
      alarmDescription:
        'More than 1% of requests answered 5xx (targets or the ALB itself): Vipps retries them for days.',
      metric: new cloudwatch.MathExpression({
        label: '5xx %',
        expression: 'IF(requests > 0, 100 * (target5xx + elb5xx) / requests, 0)',
        usingMetrics: {
          requests: alb.requestCount({ period: fiveMinutes, statistic: 'Sum' }),
          target5xx: alb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
            period: fiveMinutes,
            statistic: 'Sum',
          }),
          elb5xx: alb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: fiveMinutes, statistic: 'Sum' }),
        },
        period: fiveMinutes,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
    });
    this.add('WebhookSignatureFailures', {
      alarmDescription:
        'Webhook signature checks are failing: a rotated secret missing from VIPPS_WEBHOOK_SECRETS, a wrong PUBLIC_WEBHOOK_URL, or forged traffic.',
      metric: props.signatureFailures.with({ period: fiveMinutes }),
      threshold: props.authFailureThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
    this.add('StaleCheckinDrops', {
      alarmDescription:
        'Check-ins arrive older than CHECKIN_MAX_AGE_S and are dropped: late Vipps deliveries, clock skew or an intake backlog.',
      metric: props.staleDrops.with({ period: fiveMinutes }),
      threshold: props.staleDropThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });

    // Settlement (money still owed to or by the customer after the lane session ended), from the work
    // role's log (lib/log-metrics.ts). The two gauges come from the line the runner writes after every
    // pass (every few seconds). No line means no work task is running, not that the money is settled: those
    // alarms keep their state on missing data (IGNORE) instead of falling back to OK.
    this.add('SettlementOutstandingAge', {
      alarmDescription: `A settlement has owed Vipps an operation (capture, cancel, refund or verify) for more than ${props.settlementAgeAlarmS} s: Vipps keeps refusing or timing out, or the work tasks are down. \`checkin-gateway payments list --outstanding\`, then \`payments show <reference>\`.`,
      metric: props.settlementOldestOutstanding.with({ period: fiveMinutes }),
      threshold: props.settlementAgeAlarmS,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });
    // In alarm for as long as any settlement is needs-attention (the gauge, not the events): an operator
    // must look at each one; the alarm clears only when none remain.
    this.add('SettlementNeedsAttention', {
      alarmDescription:
        'Settlements are needs-attention: their money cannot be settled automatically (deadline passed or Vipps refused for good). `checkin-gateway payments list --outstanding` shows them with the reason.',
      metric: props.settlementNeedsAttention.with({ period: fiveMinutes }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });
    // One more settlement just ended needs-attention. The gauge alarm above does not page again while it
    // is already in alarm; this one does for each new case, and needs no pass line (it counts the
    // `settlement-needs-attention` error line itself). It clears after 5 quiet minutes.
    this.add('SettlementNewNeedsAttention', {
      alarmDescription:
        'A settlement has just ended needs-attention (error log line "settlement settlement-needs-attention" on /checkin-gateway/work, with reference and reason).',
      metric: props.settlementNeedsAttentionEvents.with({ period: fiveMinutes }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });

    // A lane's controller is not taking its lane messages (the machine is offline, its webhook refuses, a
    // secret is missing): money may be reserved while the machine was never told. From the worker's
    // `outbox backlog` line; no line means no work task, so the state is kept on missing data.
    this.add('LaneMessagesUndelivered', {
      alarmDescription: `A lane message has waited more than ${props.laneMessageAgeAlarmS} s for its controller: the machine is offline or its channel refuses. The work log's \`outbox backlog\` line names the lanes (oldestLaneId, behindLaneIds); \`checkin-gateway lanes status\` (BACKLOG, OLDEST), \`outbox list\`, then fix the channel and \`outbox retry <lane>\`.`,
      metric: props.laneMessageOldestUndelivered.with({ period: Duration.minutes(5) }),
      threshold: props.laneMessageAgeAlarmS,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });
    // The same condition per lane: a Metrics Insights query over the per-lane lines' metric, one contributor
    // per lane, so the alarm's state names the lanes. A lane that caught up logs no line: not breaching.
    this.add('LaneMessagesUndeliveredByLane', {
      alarmDescription: `Lane messages have waited more than ${props.laneMessageAgeAlarmS} s for these lanes' controllers (the alarm's contributors, by LaneId). \`checkin-gateway lanes status\`, \`outbox list\`, then fix the channel and \`outbox retry <lane>\`.`,
      metric: new cloudwatch.MathExpression({
        expression:
          `SELECT MAX(${LANE_BEHIND_METRIC}) FROM SCHEMA("${METRIC_NAMESPACE}", LaneId) ` +
          'GROUP BY LaneId ORDER BY MAX() DESC',
        period: Duration.minutes(5),
        label: 'Oldest undelivered lane message, by lane',
      }),
      threshold: props.laneMessageAgeAlarmS,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });
  }

  private add(id: string, props: cloudwatch.AlarmProps): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `checkin-gateway-${id}`,
      // No data means no events (log metrics) or no traffic: not an incident by itself.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
