// One Fargate task definition per role (`serve` | `work`) of the single gateway image. Each has its own
// task role (SQS actions only: task-policies.ts) and execution role (image pull, its log group and exactly
// the secrets its container names), so neither role can read the other's secrets.
import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DATABASE_URL_ENTRYPOINT } from './entrypoint';

export type GatewayRole = 'serve' | 'work';

export const CONTAINER_NAME = 'gateway';
export const CONTAINER_PORT = 8080;
/** The admin listener (ADMIN_PORT): the admin API and console, for operators in the VPC only (serve role). */
export const ADMIN_CONTAINER_PORT = 8081;

export interface GatewayTaskProps {
  readonly role: GatewayRole;
  readonly image: ecs.ContainerImage;
  readonly cpu: number;
  readonly memoryMiB: number;
  /** Plain configuration only: anything secret goes into `secrets`. */
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, ecs.Secret>>;
  readonly taskRoleStatements: readonly iam.PolicyStatement[];
  readonly logRetention: logs.RetentionDays;
  /** How long the process gets after SIGTERM to drain (Fargate allows at most 120 s). */
  readonly stopTimeout: Duration;
  /** Also map the admin listener's port (the serve role). */
  readonly adminPort?: boolean;
}

export class GatewayTask extends Construct {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly logGroup: logs.LogGroup;
  readonly taskRole: iam.Role;

  constructor(scope: Construct, id: string, props: GatewayTaskProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/checkin-gateway/${props.role}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `checkin-gateway ${props.role}: SQS access only`,
    });
    for (const statement of props.taskRoleStatements) this.taskRole.addToPolicy(statement);

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: `checkin-gateway-${props.role}`,
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      taskRole: this.taskRole,
      runtimePlatform: {
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
      },
    });
    this.container = this.taskDefinition.addContainer(CONTAINER_NAME, {
      image: props.image,
      entryPoint: [...DATABASE_URL_ENTRYPOINT],
      command: [props.role],
      environment: { ...props.environment },
      secrets: { ...props.secrets },
      portMappings: [
        { containerPort: CONTAINER_PORT, protocol: ecs.Protocol.TCP },
        ...(props.adminPort ? [{ containerPort: ADMIN_CONTAINER_PORT, protocol: ecs.Protocol.TCP }] : []),
      ],
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: props.role,
        // A slow CloudWatch Logs must never block the event loop that answers Vipps within 10 s.
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      }),
      // /healthz is liveness (the image's Docker HEALTHCHECK, which ECS ignores unless declared here).
      healthCheck: {
        command: [
          'CMD',
          'node',
          '-e',
          `fetch('http://127.0.0.1:${CONTAINER_PORT}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
        ],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
      stopTimeout: props.stopTimeout,
    });
  }
}
