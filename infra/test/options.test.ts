// The optional context: lane controller queues and secrets, alarm e-mail, JWT audience, sizing.
import { Template } from 'aws-cdk-lib/assertions';
import { onlyResource, synthStack } from './support/synth';

const CONTROLLER_QUEUE = 'arn:aws:sqs:eu-west-1:210987654321:vend-1.fifo';
const LANE_SECRET = 'arn:aws:secretsmanager:eu-west-1:210987654321:secret:checkin/pos1-AbC123';

let template: Template;
beforeAll(() => {
  template = synthStack({
    account: '210987654321',
    region: 'eu-west-1',
    controllerQueueArns: CONTROLLER_QUEUE,
    laneSecretArns: `LANE_POS1_SECRET=${LANE_SECRET}`,
    alarmEmail: 'oncall@example.com',
    controllerJwtAudience: 'checkin-gateway',
    dbReaders: '0',
    workMinCount: '2',
    workMaxCount: '20',
    workerConcurrency: '64',
    imageTag: 'v1.2.3',
  }).template;
});

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };
const statements = (rolePrefix: string): Statement[] =>
  (
    Object.values(template.findResources('AWS::IAM::Policy')) as {
      Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } };
    }[]
  )
    .filter((p) => p.Properties.Roles.some((r) => r.Ref.startsWith(rolePrefix)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);

const containerOf = (role: string) =>
  (
    onlyResource(template, 'AWS::ECS::TaskDefinition', (p) => p.Family === `checkin-gateway-${role}`)
      .ContainerDefinitions as {
      Image: unknown;
      Environment: { Name: string; Value: unknown }[];
      Secrets: { Name: string; ValueFrom: unknown }[];
    }[]
  )[0]!;

describe('optional context', () => {
  it('lets only work send lane messages to the listed controller queues', () => {
    expect(statements('ServicesWorkTaskTaskRole').find((s) => s.Sid === 'LaneControllerQueues')).toEqual({
      Sid: 'LaneControllerQueues',
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: CONTROLLER_QUEUE,
    });
    expect(JSON.stringify(statements('ServicesServeTask'))).not.toContain(CONTROLLER_QUEUE);
  });

  it('injects lane webhook secrets into work only, readable by work’s execution role only', () => {
    expect(containerOf('work').Secrets).toContainEqual({ Name: 'LANE_POS1_SECRET', ValueFrom: LANE_SECRET });
    expect(containerOf('serve').Secrets.map((s) => s.Name)).not.toContain('LANE_POS1_SECRET');
    const reads = (prefix: string) =>
      statements(prefix).filter((s) => JSON.stringify(s.Resource).includes('secret:checkin/pos1'));
    expect(reads('ServicesWorkTaskTaskDefinitionExecutionRole')).toHaveLength(1);
    expect(reads('ServicesServeTaskTaskDefinitionExecutionRole')).toHaveLength(0);
  });

  it('subscribes the alarm e-mail and sets the JWT audience, worker concurrency and image tag', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    const env = (role: string) =>
      Object.fromEntries(containerOf(role).Environment.map((e) => [e.Name, e.Value]));
    expect(env('serve').CONTROLLER_JWT_AUDIENCE).toBe('checkin-gateway');
    expect(env('work').CONTROLLER_JWT_AUDIENCE).toBeUndefined();
    expect(env('work').WORKER_CONCURRENCY).toBe('64');
    expect(env('work').AWS_REGION).toBe('eu-west-1');
    expect(JSON.stringify(containerOf('work').Image)).toContain('210987654321.dkr.ecr.eu-west-1.');
    expect(JSON.stringify(containerOf('work').Image)).toContain('/checkin-gateway:v1.2.3');
  });

  it('sizes the database and the worker pool from context', () => {
    expect(Object.keys(template.findResources('AWS::RDS::DBInstance'))).toHaveLength(1);
    const work = onlyResource(template, 'AWS::ApplicationAutoScaling::ScalableTarget', (p) =>
      JSON.stringify(p.ResourceId).includes('ServicesWorkService'),
    );
    expect(work).toMatchObject({ MinCapacity: 2, MaxCapacity: 20 });
  });
});
