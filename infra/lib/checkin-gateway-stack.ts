// The aws profile (architecture.md §4): SQS FIFO + DLQ and a timer queue, Aurora PostgreSQL Serverless v2,
// ECS Fargate `serve` behind an HTTPS ALB and `work` scaled on the queue, secrets in Secrets Manager,
// CloudWatch alarms to SNS. Small constructs in lib/; this file only wires them together.
import { CfnOutput, Fn, Stack, StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Alarms } from './alarms';
import { Database } from './database';
import { LogMetrics } from './log-metrics';
import { addNagSuppressions } from './nag-suppressions';
import { Network } from './network';
import { Queues } from './queues';
import { AppSecrets, SECRET_NAMES } from './secrets';
import { Services } from './services';
import { Settings } from './settings';

export interface CheckinGatewayStackProps extends StackProps {
  readonly settings: Settings;
  /** Default true. False only in tests that list what cdk-nag would report without the acknowledgements. */
  readonly acknowledgeNagFindings?: boolean;
}

export class CheckinGatewayStack extends Stack {
  readonly network: Network;
  readonly queues: Queues;
  readonly database: Database;
  readonly secrets: AppSecrets;
  readonly services: Services;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: CheckinGatewayStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const logRetention = retentionDays(settings.logRetentionDays);

    this.network = new Network(this, 'Network', {
      natGateways: settings.natGateways,
      logRetention,
    });
    this.queues = new Queues(this, 'Queues');
    this.database = new Database(this, 'Database', {
      vpc: this.network.vpc,
      minAcu: settings.dbMinAcu,
      maxAcu: settings.dbMaxAcu,
      readers: settings.dbReaders,
      logRetention,
    });
    this.secrets = new AppSecrets(this, 'Secrets');
    this.services = new Services(this, 'Services', {
      vpc: this.network.vpc,
      queues: this.queues,
      database: this.database,
      secrets: this.secrets,
      settings,
      logRetention,
    });
    const logMetrics = new LogMetrics(this, 'LogMetrics', {
      serveLogs: this.services.serveTask.logGroup,
      workLogs: this.services.workTask.logGroup,
    });
    this.alarms = new Alarms(this, 'Alarms', {
      intake: this.queues.intake,
      intakeDlq: this.queues.intakeDlq,
      timersDlq: this.queues.timersDlq,
      loadBalancer: this.services.serve.loadBalancer,
      signatureFailures: logMetrics.signatureFailures,
      staleDrops: logMetrics.staleDrops,
      settlementOldestOutstanding: logMetrics.settlementOldestOutstanding,
      settlementNeedsAttention: logMetrics.settlementNeedsAttention,
      settlementNeedsAttentionEvents: logMetrics.settlementNeedsAttentionEvents,
      laneMessageOldestUndelivered: logMetrics.laneMessageOldestUndelivered,
      intakeAgeAlarmS: settings.intakeAgeAlarmS,
      laneMessageAgeAlarmS: settings.laneMessageAgeAlarmS,
      settlementAgeAlarmS: settings.settlementAgeAlarmS,
      authFailureThreshold: settings.authFailureAlarmThreshold,
      staleDropThreshold: settings.staleDropAlarmThreshold,
      email: settings.alarmEmail,
    });
    if (props.acknowledgeNagFindings !== false) addNagSuppressions(this);

    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    output(
      'LoadBalancerDns',
      this.services.serve.loadBalancer.loadBalancerDnsName,
      'Point the webhook host (CNAME/alias) here',
    );
    output('IntakeQueueUrl', this.queues.intake.queueUrl, 'SQS_INTAKE_QUEUE_URL');
    output('IntakeDlqUrl', this.queues.intakeDlq.queueUrl, 'SQS_DLQ_URL');
    output('TimerQueueUrl', this.queues.timers.queueUrl, 'SQS_TIMER_QUEUE_URL');
    output(
      'VippsSecretName',
      SECRET_NAMES.vipps,
      'JSON: VIPPS_CLIENT_ID, VIPPS_CLIENT_SECRET, VIPPS_SUBSCRIPTION_KEY',
    );
    output('WebhookSecretName', SECRET_NAMES.webhook, 'JSON: VIPPS_WEBHOOK_SECRETS');
    output('ControllerJwtSecretName', SECRET_NAMES.controllerJwt, 'JSON: CONTROLLER_JWT_KEYS');
    output('OperatorsSecretName', SECRET_NAMES.operators, 'JSON: OPERATOR_TOKENS (admin API)');
    output(
      'AdminClientSecurityGroupId',
      this.services.serve.adminClientSecurityGroup.securityGroupId,
      'Attach to the host operators reach the admin API from (port 8081 of the serve tasks)',
    );
    output('AlarmTopicArn', this.alarms.topic.topicArn, 'Subscribe on-call here');
  }

  /**
   * With an explicit account/region, Stack.availabilityZones is a context lookup that needs AWS
   * credentials at synth time. The first zones of Fn::GetAZs, resolved by CloudFormation at deploy
   * time, keep the synth offline and hardcode no zone name.
   */
  override get availabilityZones(): string[] {
    return [0, 1, 2].map((i) => Fn.select(i, Fn.getAzs()));
  }
}

/** CloudWatch Logs accepts only certain retention periods: the closest one not shorter than asked. */
export function retentionDays(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays)
    .filter(
      (v): v is logs.RetentionDays => typeof v === 'number' && v > 0 && v !== logs.RetentionDays.INFINITE,
    )
    .sort((a, b) => a - b);
  return allowed.find((v) => v >= days) ?? allowed[allowed.length - 1] ?? logs.RetentionDays.ONE_MONTH;
}
