import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { onlyResource, synthStack } from './support/synth';

let template: Template;
beforeAll(() => {
  template = synthStack().template;
});

interface AlarmProps {
  AlarmName: string;
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  Period?: number;
  EvaluationPeriods?: number;
  TreatMissingData?: string;
  Threshold: number;
  ComparisonOperator: string;
  AlarmActions: { Ref: string }[];
  OKActions?: { Ref: string }[];
  Metrics?: { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string } } }[];
  Dimensions?: { Name: string; Value: unknown }[];
}

const alarm = (name: string): AlarmProps =>
  onlyResource(
    template,
    'AWS::CloudWatch::Alarm',
    (p) => p.AlarmName === `checkin-gateway-${name}`,
  ) as unknown as AlarmProps;

const topicId = (): string => Object.keys(template.findResources('AWS::SNS::Topic'))[0]!;

const filter = (metricName: string) =>
  onlyResource(template, 'AWS::Logs::MetricFilter', (p) =>
    JSON.stringify(p.MetricTransformations).includes(`"MetricName":"${metricName}"`),
  );
const workLogs = { Ref: expect.stringMatching(/^ServicesWorkTaskLogs/) };

describe('alarms', () => {
  it('pages when either DLQ holds a message', () => {
    for (const [name, queue] of [
      ['IntakeDlqNotEmpty', 'QueuesIntakeDlq'],
      ['TimersDlqNotEmpty', 'QueuesTimersDlq'],
    ] as const) {
      const a = alarm(name);
      expect(a).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      expect(JSON.stringify(a.Dimensions)).toMatch(new RegExp(`"${queue}[0-9A-F]{8}","QueueName"`));
    }
  });

  it('pages when the oldest intake message is older than 60 s', () => {
    const a = alarm('IntakeOldestMessageAge');
    expect(a).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 60,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(JSON.stringify(a.Dimensions)).toMatch(/"QueuesIntake[0-9A-F]{8}","QueueName"/);
  });

  it('pages on a 5xx rate above 1% of ALB requests', () => {
    const a = alarm('Http5xxRate');
    expect(a.Threshold).toBe(1);
    const metrics = a.Metrics ?? [];
    expect(metrics.find((m) => m.Expression)?.Expression).toBe(
      'IF(requests > 0, 100 * (target5xx + elb5xx) / requests, 0)',
    );
    expect(
      Object.fromEntries(
        metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat!.Metric.MetricName]),
      ),
    ).toEqual({
      requests: 'RequestCount',
      target5xx: 'HTTPCode_Target_5XX_Count',
      elb5xx: 'HTTPCode_ELB_5XX_Count',
    });
  });

  it('pages on webhook signature failures and stale check-in drops counted from the logs', () => {
    expect(alarm('WebhookSignatureFailures')).toMatchObject({
      Namespace: 'CheckinGateway',
      MetricName: 'WebhookSignatureFailures',
      Threshold: 5,
    });
    expect(alarm('StaleCheckinDrops')).toMatchObject({
      Namespace: 'CheckinGateway',
      MetricName: 'StaleCheckinDrops',
      Threshold: 3,
    });
    const serveLogs = { Ref: expect.stringMatching(/^ServicesServeTaskLogs/) };
    expect(filter('WebhookSignatureFailures')).toMatchObject({
      LogGroupName: serveLogs,
      FilterPattern: '{ $.message = "webhook verification failed" }',
    });
    expect(filter('StaleCheckinDrops')).toMatchObject({
      LogGroupName: serveLogs,
      FilterPattern: '{ ($.message = "webhook event dropped") && ($.reason = "stale_checkin") }',
    });
  });

  it('matches the log lines intake actually writes', () => {
    // The filters above are only as good as the messages they match: read them from the app's source.
    const src = (file: string) => fs.readFileSync(path.join(__dirname, '../../src/intake', file), 'utf8');
    expect(src('webhook-router.ts')).toMatch(/log\.warn\('webhook verification failed', \{\s*code:/);
    expect(src('handle-delivery.ts')).toMatch(
      /log\.warn\('webhook event dropped', \{\s*reason: drop\.reason,/,
    );
    expect(src('intake.ts')).toContain("reason: 'stale_checkin'");
  });

  describe('settlement', () => {
    it('pages when the oldest outstanding settlement is older than one hour, from the pass line', () => {
      expect(filter('SettlementOldestOutstandingSeconds')).toMatchObject({
        LogGroupName: workLogs,
        FilterPattern: '{ $.event = "settlement-pass" }',
        MetricTransformations: [
          {
            MetricNamespace: 'CheckinGateway',
            MetricName: 'SettlementOldestOutstandingSeconds',
            MetricValue: '$.oldestOutstandingS',
            Unit: 'Seconds',
          },
        ],
      });
      expect(alarm('SettlementOutstandingAge')).toMatchObject({
        Namespace: 'CheckinGateway',
        MetricName: 'SettlementOldestOutstandingSeconds',
        Statistic: 'Maximum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 3600,
        ComparisonOperator: 'GreaterThanThreshold',
        // No pass line means no worker, not settled money: keep the state.
        TreatMissingData: 'ignore',
        AlarmActions: [{ Ref: topicId() }],
        OKActions: [{ Ref: topicId() }],
      });
    });

    it('takes the age threshold from context', () => {
      const t = synthStack({ settlementAgeAlarmS: '7200' }).template;
      const a = onlyResource(
        t,
        'AWS::CloudWatch::Alarm',
        (p) => p.AlarmName === 'checkin-gateway-SettlementOutstandingAge',
      );
      expect(a.Threshold).toBe(7200);
    });

    it('stays in alarm while any settlement needs attention, from the pass line', () => {
      expect(filter('SettlementNeedsAttention')).toMatchObject({
        LogGroupName: workLogs,
        FilterPattern: '{ $.event = "settlement-pass" }',
        MetricTransformations: [
          {
            MetricNamespace: 'CheckinGateway',
            MetricName: 'SettlementNeedsAttention',
            MetricValue: '$.needsAttention',
            Unit: 'Count',
          },
        ],
      });
      expect(alarm('SettlementNeedsAttention')).toMatchObject({
        Namespace: 'CheckinGateway',
        MetricName: 'SettlementNeedsAttention',
        Statistic: 'Maximum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'ignore',
        AlarmActions: [{ Ref: topicId() }],
        OKActions: [{ Ref: topicId() }],
      });
    });

    it('pages again for each settlement that ends needs-attention, from its error line', () => {
      expect(filter('SettlementNeedsAttentionEvents')).toMatchObject({
        LogGroupName: workLogs,
        FilterPattern: '{ $.event = "settlement-needs-attention" }',
        MetricTransformations: [
          {
            MetricNamespace: 'CheckinGateway',
            MetricName: 'SettlementNeedsAttentionEvents',
            MetricValue: '1',
            Unit: 'Count',
          },
        ],
      });
      expect(alarm('SettlementNewNeedsAttention')).toMatchObject({
        Namespace: 'CheckinGateway',
        MetricName: 'SettlementNeedsAttentionEvents',
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topicId() }],
        OKActions: [{ Ref: topicId() }],
      });
    });

    it('matches the needs-attention line the settlement machine and runner write', () => {
      const src = (file: string) =>
        fs.readFileSync(path.join(__dirname, '../../src/settlement', file), 'utf8');
      expect(src('machine.ts')).toMatch(/w\.log\('error', 'settlement-needs-attention',/);
      // The runner puts the machine's event name in the line's `event` field.
      expect(src('runner.ts')).toMatch(
        /logger\.log\(l\.level, `settlement \$\{l\.event\}`, \{ event: l\.event,/,
      );
    });

    it('matches the settlement-pass line the runner writes after every pass', () => {
      const runner = fs.readFileSync(path.join(__dirname, '../../src/settlement/runner.ts'), 'utf8');
      expect(runner).toMatch(/logger\.info\('settlement pass', \{\s*event: 'settlement-pass',/);
      for (const field of ['oldestOutstandingS', 'needsAttention', 'outstanding'])
        expect(runner).toMatch(new RegExp(`${field}: summary\\.${field}`));
    });
  });

  it('sends every alarm to one KMS-encrypted SNS topic that CloudWatch may publish to', () => {
    const named = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((r) =>
      String((r as { Properties: { AlarmName?: string } }).Properties.AlarmName).startsWith(
        'checkin-gateway-',
      ),
    ) as { Properties: AlarmProps }[];
    expect(named).toHaveLength(11);
    for (const a of named) expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId() }]);
    const topic = onlyResource(template, 'AWS::SNS::Topic');
    expect(topic.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AlarmsTopicKey/), 'Arn'] });
    const key = onlyResource(template, 'AWS::KMS::Key');
    expect(key.EnableKeyRotation).toBe(true);
    const statements = (
      key.KeyPolicy as { Statement: { Principal?: { Service?: string }; Action: string[] }[] }
    ).Statement;
    expect(statements.find((s) => s.Principal?.Service === 'cloudwatch.amazonaws.com')?.Action).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    ]);
  });
});
