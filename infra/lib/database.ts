// Aurora PostgreSQL Serverless v2 in the isolated subnets. The master credentials are generated into
// Secrets Manager and reach the tasks only as ECS secrets (see services.ts / entrypoint.ts).
// Nothing can connect except the security groups passed to allowFrom(): the services' groups.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';

export interface DatabaseProps {
  readonly vpc: ec2.IVpc;
  readonly minAcu: number;
  readonly maxAcu: number;
  readonly readers: number;
  readonly logRetention: logs.RetentionDays;
}

export const DATABASE_NAME = 'checkin';
export const DATABASE_PORT = 5432;
const CLUSTER_ID = 'checkin-gateway-db';

export class Database extends Construct {
  readonly cluster: rds.DatabaseCluster;
  readonly secret: rds.DatabaseSecret;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const engine = rds.DatabaseClusterEngine.auroraPostgres({
      version: rds.AuroraPostgresEngineVersion.VER_16_6,
    });
    this.secret = new rds.DatabaseSecret(this, 'Credentials', {
      username: 'checkin',
      secretName: 'checkin-gateway/database',
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Aurora: reachable only from the checkin-gateway services',
      allowAllOutbound: false,
    });
    // Created ahead of the cluster so the exported PostgreSQL log gets a retention without the
    // LogRetention custom resource (a Lambda function) that `cloudwatchLogsRetention` would add.
    const postgresLog = new logs.LogGroup(this, 'PostgresLog', {
      logGroupName: `/aws/rds/cluster/${CLUSTER_ID}/postgresql`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine,
      clusterIdentifier: CLUSTER_ID,
      port: DATABASE_PORT,
      credentials: rds.Credentials.fromSecret(this.secret),
      defaultDatabaseName: DATABASE_NAME,
      writer: rds.ClusterInstance.serverlessV2('writer'),
      readers: Array.from({ length: props.readers }, (_, i) =>
        // A reader in the writer's scaling tier is the failover target, so it keeps up with the writer.
        rds.ClusterInstance.serverlessV2(`reader${i + 1}`, { scaleWithWriter: i === 0 }),
      ),
      serverlessV2MinCapacity: props.minAcu,
      serverlessV2MaxCapacity: props.maxAcu,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      storageEncrypted: true,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      backup: { retention: Duration.days(14), preferredWindow: '01:00-02:00' },
      preferredMaintenanceWindow: 'sun:03:00-sun:04:00',
      cloudwatchLogsExports: ['postgresql'],
      parameterGroup: new rds.ParameterGroup(this, 'Parameters', {
        engine,
        description: 'checkin-gateway: TLS only',
        parameters: { 'rds.force_ssl': '1' },
      }),
    });
    this.cluster.node.addDependency(postgresLog);
  }

  /** Lets a service's security group reach PostgreSQL; nothing else is ever allowed in. */
  allowFrom(peer: ec2.ISecurityGroup, description: string): void {
    this.securityGroup.addIngressRule(peer, ec2.Port.tcp(DATABASE_PORT), description);
  }
}
