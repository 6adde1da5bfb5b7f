// The ECS cluster and the two roles of the one image, with the configuration each role's process needs
// (README "Configuration"). Plain values go to `environment`; every secret goes through
// `ecs.Secret.fromSecretsManager(secret, field)`, so it appears in no task definition, template or `docker inspect`
// of the definition.
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { Database, DATABASE_NAME, DATABASE_PORT } from './database';
import { DATABASE_ENV } from './entrypoint';
import { gatewayImage } from './gateway-image';
import { ADMIN_CONTAINER_PORT, CONTAINER_PORT, GatewayTask } from './gateway-task';
import { QUEUE_MAX_ATTEMPTS, Queues } from './queues';
import {
  AppSecrets,
  CONTROLLER_JWT_FIELD,
  OPERATOR_TOKENS_FIELD,
  VIPPS_FIELDS,
  WEBHOOK_FIELD,
} from './secrets';
import { ServeService } from './serve-service';
import { Settings } from './settings';
import { QueueArns, serveQueueStatements, workQueueStatements } from './task-policies';
import { WorkService } from './work-service';

export interface ServicesProps {
  readonly vpc: ec2.IVpc;
  readonly queues: Queues;
  readonly database: Database;
  readonly secrets: AppSecrets;
  readonly settings: Settings;
  readonly logRetention: logs.RetentionDays;
}

export class Services extends Construct {
  readonly cluster: ecs.Cluster;
  readonly serve: ServeService;
  readonly work: WorkService;
  readonly serveTask: GatewayTask;
  readonly workTask: GatewayTask;

  constructor(scope: Construct, id: string, props: ServicesProps) {
    super(scope, id);
    const { settings, queues, database, secrets } = props;
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      clusterName: 'checkin-gateway',
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const image = gatewayImage(this, {
      buildImage: settings.buildImage,
      repositoryName: settings.imageRepository,
      tag: settings.imageTag,
    });

    const environment: Record<string, string> = {
      QUEUE: 'sqs',
      STORE: 'postgres',
      SQS_INTAKE_QUEUE_URL: queues.intake.queueUrl,
      SQS_DLQ_URL: queues.intakeDlq.queueUrl,
      SQS_TIMER_QUEUE_URL: queues.timers.queueUrl,
      AWS_REGION: Stack.of(this).region,
      // The app's attempt count is SQS's ApproximateReceiveCount; the redrive policy allows more (queues.ts).
      QUEUE_MAX_ATTEMPTS: String(QUEUE_MAX_ATTEMPTS),
      VIPPS_ENV: settings.vippsEnv,
      PUBLIC_WEBHOOK_URL: settings.publicWebhookUrl,
      HOST: '0.0.0.0',
      PORT: String(CONTAINER_PORT),
      LOG_LEVEL: 'info',
      // Host, port and database name are not secret; user and password come from the secret below.
      [DATABASE_ENV.host]: database.cluster.clusterEndpoint.hostname,
      [DATABASE_ENV.port]: String(DATABASE_PORT),
      [DATABASE_ENV.database]: DATABASE_NAME,
      [DATABASE_ENV.params]: settings.databaseUrlParams,
    };
    const field = (secret: secretsmanager.ISecret, name: string) =>
      ecs.Secret.fromSecretsManager(secret, name);
    // Both roles need the Vipps credentials and webhook secrets today only because the gateway's config
    // refuses to boot without them outside the sandbox; see the report/README note on narrowing this.
    const common: Record<string, ecs.Secret> = {
      [DATABASE_ENV.user]: field(database.secret, 'username'),
      [DATABASE_ENV.password]: field(database.secret, 'password'),
      ...Object.fromEntries(VIPPS_FIELDS.map((name) => [name, field(secrets.vipps, name)])),
      [WEBHOOK_FIELD]: field(secrets.webhook, WEBHOOK_FIELD),
    };
    const queueArns: QueueArns = {
      intake: queues.intake.queueArn,
      intakeDlq: queues.intakeDlq.queueArn,
      timers: queues.timers.queueArn,
      controllerQueues: settings.controllerQueueArns,
    };

    this.serveTask = new GatewayTask(this, 'ServeTask', {
      role: 'serve',
      image,
      cpu: 512,
      memoryMiB: 1024,
      environment: {
        ...environment,
        // Exactly one proxy (the ALB) in front: X-Forwarded-For gives the client IP for the failed-auth limit.
        TRUST_PROXY: '1',
        // Required by the serve role outside the sandbox (VIPPS_ENV is test or production here).
        CONTROLLER_JWT_AUDIENCE: settings.controllerJwtAudience,
        CONTROLLER_JWT_ISSUER: settings.controllerJwtIssuer,
        // The admin API on its own port, reached inside the VPC through the admin security group (never the ALB).
        ADMIN_HOST: '0.0.0.0',
        ADMIN_PORT: String(ADMIN_CONTAINER_PORT),
        // Lanes offering redirect-qr need it: the serve role refuses to start without it (src/lanes/pay-page-lanes.ts).
        ...(settings.publicBaseUrl === undefined ? {} : { PUBLIC_BASE_URL: settings.publicBaseUrl }),
      },
      secrets: {
        ...common,
        [CONTROLLER_JWT_FIELD]: field(secrets.controllerJwt, CONTROLLER_JWT_FIELD),
        [OPERATOR_TOKENS_FIELD]: field(secrets.operators, OPERATOR_TOKENS_FIELD),
      },
      adminPort: true,
      taskRoleStatements: serveQueueStatements(queueArns),
      logRetention: props.logRetention,
      stopTimeout: Duration.seconds(30),
    });
    this.workTask = new GatewayTask(this, 'WorkTask', {
      role: 'work',
      image,
      cpu: 512,
      memoryMiB: 1024,
      environment: { ...environment, WORKER_CONCURRENCY: String(settings.workerConcurrency) },
      secrets: { ...common, ...laneSecrets(this, settings.laneSecretArns) },
      taskRoleStatements: workQueueStatements(queueArns),
      logRetention: props.logRetention,
      // The longest Fargate allows: in-flight jobs finish (a Vipps call is bounded well below this).
      stopTimeout: Duration.seconds(120),
    });

    this.serve = new ServeService(this, 'Serve', {
      cluster: this.cluster,
      task: this.serveTask,
      certificateArn: settings.certificateArn,
      desiredCount: settings.serveDesiredCount,
      maxCount: settings.serveMaxCount,
    });
    this.work = new WorkService(this, 'Work', {
      cluster: this.cluster,
      task: this.workTask,
      intake: queues.intake,
      minCount: settings.workMinCount,
      maxCount: settings.workMaxCount,
    });
    database.allowFrom(this.serve.securityGroup, 'serve tasks');
    database.allowFrom(this.work.securityGroup, 'work tasks');
  }
}

/** Lane webhook controllers' signing secrets (lanes file `secretEnv`), whole-secret values, work role only. */
function laneSecrets(scope: Construct, arns: Readonly<Record<string, string>>): Record<string, ecs.Secret> {
  return Object.fromEntries(
    Object.entries(arns).map(([envName, arn]) => [
      envName,
      ecs.Secret.fromSecretsManager(
        secretsmanager.Secret.fromSecretCompleteArn(scope, `Lane${envName}`, arn),
      ),
    ]),
  );
}
