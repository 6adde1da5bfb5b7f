import { Match, Template } from 'aws-cdk-lib/assertions';
import { onlyResource, synthStack } from './support/synth';

let template: Template;
beforeAll(() => {
  template = synthStack().template;
});

type Ref = { Ref: string } | { 'Fn::GetAtt': [string, string] };
const logicalId = (ref: unknown): string => {
  const r = ref as Ref;
  return 'Ref' in r ? r.Ref : r['Fn::GetAtt'][0];
};
const queueId = (name: string): string => {
  const found = Object.entries(template.findResources('AWS::SQS::Queue')).filter(
    ([, r]) => (r as { Properties: { QueueName: string } }).Properties.QueueName === name,
  );
  if (found.length !== 1) throw new Error(`no queue ${name}`);
  return found[0]![0];
};

describe('queues', () => {
  it('makes the intake queue FIFO with app-set dedup ids and high-throughput settings', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'checkin-intake.fifo',
      FifoQueue: true,
      ContentBasedDeduplication: false,
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('redrives the intake queue to its FIFO DLQ after 5 receives', () => {
    const intake = onlyResource(template, 'AWS::SQS::Queue', (p) => p.QueueName === 'checkin-intake.fifo');
    const redrive = intake.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };
    expect(redrive.maxReceiveCount).toBe(10);
    expect(logicalId(redrive.deadLetterTargetArn)).toBe(queueId('checkin-intake-dlq.fifo'));
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'checkin-intake-dlq.fifo',
      FifoQueue: true,
      SqsManagedSseEnabled: true,
    });
  });

  it('makes the timer queue a standard queue (per-message delays) with its own DLQ', () => {
    const timers = onlyResource(template, 'AWS::SQS::Queue', (p) => p.QueueName === 'checkin-timers');
    expect(timers.FifoQueue).toBeUndefined();
    expect(timers.SqsManagedSseEnabled).toBe(true);
    const redrive = timers.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };
    expect(logicalId(redrive.deadLetterTargetArn)).toBe(queueId('checkin-timers-dlq'));
    expect(redrive.maxReceiveCount).toBe(10);
  });

  it('denies non-TLS access on every queue', () => {
    const queueIds = Object.keys(template.findResources('AWS::SQS::Queue')).sort();
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy')) as {
      Properties: { Queues: unknown[]; PolicyDocument: { Statement: unknown[] } };
    }[];
    const denyPlainHttp = Match.objectLike({
      Effect: 'Deny',
      Action: 'sqs:*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    const covered = policies
      .filter((p) => p.Properties.PolicyDocument.Statement.some((st) => denyPlainHttp.test(st).isSuccess))
      .flatMap((p) => p.Properties.Queues.map(logicalId))
      .sort();
    expect(queueIds).toHaveLength(4);
    expect(covered).toEqual(queueIds);
  });
});

describe('database', () => {
  it('is Aurora PostgreSQL 16 Serverless v2, encrypted, deletion-protected, with backups', () => {
    const cluster = onlyResource(template, 'AWS::RDS::DBCluster');
    expect(cluster).toMatchObject({
      Engine: 'aurora-postgresql',
      StorageEncrypted: true,
      DeletionProtection: true,
      BackupRetentionPeriod: 14,
      DatabaseName: 'checkin',
      Port: 5432,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 8 },
      EnableCloudwatchLogsExports: ['postgresql'],
    });
    expect(String(cluster.EngineVersion)).toMatch(/^16\./);
    const instances = Object.values(template.findResources('AWS::RDS::DBInstance')) as {
      Properties: { DBInstanceClass: string };
    }[];
    expect(instances.map((i) => i.Properties.DBInstanceClass)).toEqual(['db.serverless', 'db.serverless']);
  });

  it('takes its credentials from a generated Secrets Manager secret, never a literal', () => {
    const cluster = onlyResource(template, 'AWS::RDS::DBCluster');
    expect(JSON.stringify(cluster.MasterUserPassword)).toContain('{{resolve:secretsmanager:');
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'checkin-gateway/database',
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password' }),
    });
  });

  it('forces TLS on every connection', () => {
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Parameters: { 'rds.force_ssl': '1' },
    });
  });

  it('lives in subnets with no route out of the VPC', () => {
    const group = onlyResource(template, 'AWS::RDS::DBSubnetGroup');
    const subnetIds = (group.SubnetIds as unknown[]).map(logicalId);
    expect(subnetIds).toHaveLength(2);
    const associations = Object.values(template.findResources('AWS::EC2::SubnetRouteTableAssociation')) as {
      Properties: { SubnetId: unknown; RouteTableId: unknown };
    }[];
    const routes = Object.values(template.findResources('AWS::EC2::Route')) as {
      Properties: { RouteTableId: unknown };
    }[];
    for (const subnet of subnetIds) {
      const table = associations.find((a) => logicalId(a.Properties.SubnetId) === subnet);
      expect(table).toBeDefined();
      const tableId = logicalId(table!.Properties.RouteTableId);
      expect(routes.filter((r) => logicalId(r.Properties.RouteTableId) === tableId)).toEqual([]);
    }
  });

  it('accepts connections only from the serve and work security groups', () => {
    const cluster = onlyResource(template, 'AWS::RDS::DBCluster');
    const dbGroup = logicalId((cluster.VpcSecurityGroupIds as unknown[])[0]);
    const ingress = (
      Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')) as {
        Properties: Record<string, unknown>;
      }[]
    ).filter((r) => logicalId(r.Properties.GroupId) === dbGroup);
    const serviceGroups = (
      Object.values(template.findResources('AWS::ECS::Service')) as {
        Properties: { NetworkConfiguration: { AwsvpcConfiguration: { SecurityGroups: unknown[] } } };
      }[]
    ).map((svc) => logicalId(svc.Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups[0]));
    // Each service's own group comes first; serve's second group (the admin listener's) never reaches the database.
    expect(serviceGroups).toHaveLength(2);
    expect(ingress.map((r) => logicalId(r.Properties.SourceSecurityGroupId)).sort()).toEqual(
      serviceGroups.sort(),
    );
    for (const rule of ingress) {
      expect(rule.Properties).toMatchObject({ FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp' });
      expect(rule.Properties.CidrIp).toBeUndefined();
    }
    const dbGroupProps = template.findResources('AWS::EC2::SecurityGroup')[dbGroup] as {
      Properties: { SecurityGroupIngress?: unknown[] };
    };
    expect(dbGroupProps.Properties.SecurityGroupIngress).toBeUndefined();
  });
});
