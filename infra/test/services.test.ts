import { Template } from 'aws-cdk-lib/assertions';
import { onlyResource, synthStack } from './support/synth';

let template: Template;
beforeAll(() => {
  template = synthStack().template;
});

interface Container {
  Command: string[];
  EntryPoint: string[];
  Environment: { Name: string; Value: unknown }[];
  Secrets: { Name: string; ValueFrom: unknown }[];
  LogConfiguration: { LogDriver: string; Options: Record<string, unknown> };
  PortMappings: { ContainerPort: number }[];
  StopTimeout: number;
}

function container(role: 'serve' | 'work'): Container {
  const task = onlyResource(
    template,
    'AWS::ECS::TaskDefinition',
    (p) => p.Family === `checkin-gateway-${role}`,
  );
  const defs = task.ContainerDefinitions as Container[];
  expect(defs).toHaveLength(1);
  return defs[0]!;
}

const envOf = (c: Container): Record<string, unknown> =>
  Object.fromEntries(c.Environment.map((e) => [e.Name, e.Value]));

/** `{"Fn::Join": ["", [{Ref: <secret>}, ":FIELD::"]]}` → [secret logical id, FIELD] */
function secretSource(valueFrom: unknown): [string, string] {
  const join = (valueFrom as { 'Fn::Join': [string, [{ Ref: string }, string]] })['Fn::Join'];
  const [ref, suffix] = join[1];
  const field = /^:([A-Za-z_]+)::$/.exec(suffix);
  if (!field) throw new Error(`not a JSON-field secret reference: ${JSON.stringify(valueFrom)}`);
  return [ref.Ref, field[1]!];
}

const secretIdByName = (name: string): string => {
  const found = Object.entries(template.findResources('AWS::SecretsManager::Secret')).filter(
    ([, r]) => (r as { Properties: { Name: string } }).Properties.Name === name,
  );
  if (found.length !== 1) throw new Error(`no secret ${name}`);
  return found[0]![0];
};

describe('the two roles of one image', () => {
  it('runs `serve` and `work` through the DATABASE_URL entrypoint', () => {
    for (const role of ['serve', 'work'] as const) {
      const c = container(role);
      expect(c.Command).toEqual([role]);
      expect(c.EntryPoint.slice(0, 2)).toEqual(['/bin/sh', '-c']);
      expect(c.EntryPoint[2]).toContain("exec 'node' 'dist/cli.js' \"$@\"");
      // serve also maps the admin listener (ADMIN_PORT 8081), reached through its own security group.
      expect(c.PortMappings).toEqual(
        role === 'serve'
          ? [
              expect.objectContaining({ ContainerPort: 8080 }),
              expect.objectContaining({ ContainerPort: 8081 }),
            ]
          : [expect.objectContaining({ ContainerPort: 8080 })],
      );
    }
    expect(container('serve').StopTimeout).toBe(30);
    expect(container('work').StopTimeout).toBe(120);
  });

  it('gives both the aws-profile configuration as plain environment', () => {
    for (const role of ['serve', 'work'] as const) {
      const env = envOf(container(role));
      expect(env).toMatchObject({
        QUEUE: 'sqs',
        STORE: 'postgres',
        AWS_REGION: 'eu-north-1',
        VIPPS_ENV: 'test',
        PUBLIC_WEBHOOK_URL: 'https://checkin.example.com/webhooks/vipps',
        HOST: '0.0.0.0',
        PORT: '8080',
        QUEUE_MAX_ATTEMPTS: '5',
        PGPORT: '5432',
        PGDATABASE: 'checkin',
        DATABASE_URL_PARAMS: 'sslmode=no-verify',
      });
      expect(env.SQS_INTAKE_QUEUE_URL).toEqual({ Ref: expect.stringMatching(/^QueuesIntake[0-9A-F]+$/) });
      expect(env.SQS_DLQ_URL).toEqual({ Ref: expect.stringMatching(/^QueuesIntakeDlq[0-9A-F]+$/) });
      expect(env.SQS_TIMER_QUEUE_URL).toEqual({ Ref: expect.stringMatching(/^QueuesTimers[0-9A-F]+$/) });
      expect(env.PGHOST).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^DatabaseCluster/), 'Endpoint.Address'],
      });
    }
    expect(envOf(container('serve')).TRUST_PROXY).toBe('1');
    expect(envOf(container('work')).WORKER_CONCURRENCY).toBe('16');
    // The serve role refuses to start outside the sandbox without both claims (VIPPS_ENV is test or production).
    expect(envOf(container('serve'))).toMatchObject({
      CONTROLLER_JWT_AUDIENCE: 'checkin-gateway',
      CONTROLLER_JWT_ISSUER: 'checkin-controllers',
    });
  });

  it('gives the serve role PUBLIC_BASE_URL from the publicBaseUrl context, and nothing without it', () => {
    expect(envOf(container('serve')).PUBLIC_BASE_URL).toBeUndefined();
    const withUrl = synthStack({ publicBaseUrl: 'https://pay.example.com/' }).template;
    const task = onlyResource(
      withUrl,
      'AWS::ECS::TaskDefinition',
      (p) => p.Family === 'checkin-gateway-serve',
    );
    const [serve] = task.ContainerDefinitions as Container[];
    expect(envOf(serve!).PUBLIC_BASE_URL).toBe('https://pay.example.com/');
  });

  it('passes every secret as an ECS secret (a JSON field of a Secrets Manager secret), never as env', () => {
    const secretEnv = [
      'PGUSER',
      'PGPASSWORD',
      'DATABASE_URL',
      'VIPPS_CLIENT_ID',
      'VIPPS_CLIENT_SECRET',
      'VIPPS_SUBSCRIPTION_KEY',
      'VIPPS_WEBHOOK_SECRETS',
      'CONTROLLER_JWT_KEYS',
      'OPERATOR_TOKENS',
    ];
    const expected: Record<'serve' | 'work', Record<string, [string, string]>> = {
      work: {
        PGUSER: [secretIdByName('checkin-gateway/database'), 'username'],
        PGPASSWORD: [secretIdByName('checkin-gateway/database'), 'password'],
        VIPPS_CLIENT_ID: [secretIdByName('checkin-gateway/vipps'), 'VIPPS_CLIENT_ID'],
        VIPPS_CLIENT_SECRET: [secretIdByName('checkin-gateway/vipps'), 'VIPPS_CLIENT_SECRET'],
        VIPPS_SUBSCRIPTION_KEY: [secretIdByName('checkin-gateway/vipps'), 'VIPPS_SUBSCRIPTION_KEY'],
        VIPPS_WEBHOOK_SECRETS: [secretIdByName('checkin-gateway/vipps-webhook'), 'VIPPS_WEBHOOK_SECRETS'],
      },
      serve: {},
    };
    expected.serve = {
      ...expected.work,
      CONTROLLER_JWT_KEYS: [secretIdByName('checkin-gateway/controller-jwt'), 'CONTROLLER_JWT_KEYS'],
      OPERATOR_TOKENS: [secretIdByName('checkin-gateway/operators'), 'OPERATOR_TOKENS'],
    };
    for (const role of ['serve', 'work'] as const) {
      const c = container(role);
      const actual = Object.fromEntries(c.Secrets.map((s) => [s.Name, secretSource(s.ValueFrom)]));
      expect(actual).toEqual(expected[role]);
      const plain = Object.keys(envOf(c));
      expect(plain.filter((name) => secretEnv.includes(name))).toEqual([]);
      expect(plain.filter((name) => /SECRET|PASSWORD|TOKEN|KEYS?$/.test(name))).toEqual([]);
    }
  });

  it('creates the application secrets with generated placeholders, not literal values', () => {
    const vipps = onlyResource(
      template,
      'AWS::SecretsManager::Secret',
      (p) => p.Name === 'checkin-gateway/vipps',
    );
    expect(vipps.SecretString).toBeUndefined();
    expect(vipps.GenerateSecretString).toMatchObject({ GenerateStringKey: 'VIPPS_CLIENT_SECRET' });
    const webhook = onlyResource(
      template,
      'AWS::SecretsManager::Secret',
      (p) => p.Name === 'checkin-gateway/vipps-webhook',
    );
    expect(webhook.GenerateSecretString).toMatchObject({
      GenerateStringKey: 'VIPPS_WEBHOOK_SECRETS',
      ExcludePunctuation: true,
    });
    const jwt = onlyResource(
      template,
      'AWS::SecretsManager::Secret',
      (p) => p.Name === 'checkin-gateway/controller-jwt',
    );
    const jwtTemplate = JSON.parse(
      (jwt.GenerateSecretString as { SecretStringTemplate: string }).SecretStringTemplate,
    );
    // The gateway reads "," as an empty key list: closed until real keys are put.
    expect(jwtTemplate).toEqual({ CONTROLLER_JWT_KEYS: ',' });
  });

  it('ships logs with the awslogs driver to a group with a retention', () => {
    for (const role of ['serve', 'work'] as const) {
      const c = container(role);
      expect(c.LogConfiguration.LogDriver).toBe('awslogs');
      expect(c.LogConfiguration.Options['awslogs-stream-prefix']).toBe(role);
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/checkin-gateway/${role}`,
        RetentionInDays: 30,
      });
    }
  });
});

describe('serve behind the load balancer', () => {
  it('runs at least two serve tasks in private subnets behind the ALB; work has no load balancer', () => {
    const serve = onlyResource(
      template,
      'AWS::ECS::Service',
      (p) => p.ServiceName === 'checkin-gateway-serve',
    );
    expect(serve.DesiredCount).toBe(2);
    expect(serve.LoadBalancers).toEqual([
      expect.objectContaining({ ContainerName: 'gateway', ContainerPort: 8080 }),
    ]);
    expect(serve.NetworkConfiguration).toMatchObject({ AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } });
    const work = onlyResource(template, 'AWS::ECS::Service', (p) => p.ServiceName === 'checkin-gateway-work');
    expect(work.LoadBalancers).toBeUndefined();
    expect(work.DesiredCount).toBe(1);
  });

  it('listens on 443 with the ACM certificate and a modern TLS policy; 80 only redirects', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
    });
    const https = onlyResource(template, 'AWS::ElasticLoadBalancingV2::Listener', (p) => p.Port === 443);
    expect(https).toMatchObject({
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [
        {
          CertificateArn:
            'arn:aws:acm:eu-north-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
        },
      ],
    });
    const http = onlyResource(template, 'AWS::ElasticLoadBalancingV2::Listener', (p) => p.Port === 80);
    expect(http.DefaultActions).toEqual([
      { Type: 'redirect', RedirectConfig: { Port: '443', Protocol: 'HTTPS', StatusCode: 'HTTP_301' } },
    ]);
  });

  it('health-checks /readyz on the container port', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      Protocol: 'HTTP',
      HealthCheckPath: '/readyz',
      Matcher: { HttpCode: '200' },
      TargetType: 'ip',
    });
  });

  it('answers 404 itself for /metrics and /admin from the internet', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [
        {
          Field: 'path-pattern',
          PathPatternConfig: { Values: ['/metrics', '/metrics/*', '/admin', '/admin/*'] },
        },
      ],
      Actions: [
        {
          Type: 'fixed-response',
          FixedResponseConfig: {
            StatusCode: '404',
            ContentType: 'application/problem+json',
            MessageBody: '{"status":404,"code":"not_found","title":"Not found"}',
          },
        },
      ],
    });
  });
});

describe('scaling', () => {
  it('scales serve on CPU between the desired and max counts', () => {
    const target = onlyResource(template, 'AWS::ApplicationAutoScaling::ScalableTarget', (p) =>
      JSON.stringify(p.ResourceId).includes('ServicesServeService'),
    );
    expect(target).toMatchObject({
      MinCapacity: 2,
      MaxCapacity: 10,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: 60,
      },
    });
  });

  it('step-scales work on the intake queue depth and oldest-message age', () => {
    const stepPolicies = Object.values(
      template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy'),
    ).filter((r) => (r as { Properties: { PolicyType: string } }).Properties.PolicyType === 'StepScaling');
    expect(stepPolicies).toHaveLength(4);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as {
      Properties: {
        MetricName?: string;
        Namespace?: string;
        Dimensions?: { Value: unknown }[];
        AlarmActions: unknown[];
      };
    }[];
    for (const metric of ['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage']) {
      const scalingAlarms = alarms.filter(
        (a) =>
          a.Properties.MetricName === metric &&
          JSON.stringify(a.Properties.Dimensions).includes('QueuesIntake1') &&
          JSON.stringify(a.Properties.AlarmActions).includes('ServicesWorkServiceTaskCountTarget'),
      );
      expect(scalingAlarms).toHaveLength(2); // one to scale out, one to scale in
    }
  });
});
