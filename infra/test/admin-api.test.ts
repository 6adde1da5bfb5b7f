// The admin API in the AWS profile: the serve tasks listen on ADMIN_PORT 8081 on all interfaces, behind a
// security group of its own that admits only the admin-client group (never the load balancer, never the
// internet); OPERATOR_TOKENS comes from its own secret with a closed placeholder; and an alarm fires when a
// lane message waits for its controller past laneMessageAgeAlarmS, from the worker's `outbox backlog` line, and
// per lane from its `lane messages behind` lines.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { onlyResource, synthStack } from './support/synth';

let template: Template;
beforeAll(() => {
  template = synthStack({ laneMessageAgeAlarmS: '600' }).template;
});

const serveContainer = () =>
  (
    onlyResource(template, 'AWS::ECS::TaskDefinition', (p) => p.Family === 'checkin-gateway-serve')
      .ContainerDefinitions as {
      Environment: { Name: string; Value: unknown }[];
      PortMappings: { ContainerPort: number }[];
    }[]
  )[0]!;

const groupId = (description: string): string => {
  const found = Object.entries(template.findResources('AWS::EC2::SecurityGroup')).filter(([, r]) =>
    String((r as { Properties: { GroupDescription: string } }).Properties.GroupDescription).startsWith(
      description,
    ),
  );
  if (found.length !== 1) throw new Error(`no security group "${description}"`);
  return found[0]![0];
};

describe('the admin API on AWS', () => {
  it('serve listens on ADMIN_HOST 0.0.0.0, ADMIN_PORT 8081', () => {
    const env = Object.fromEntries(serveContainer().Environment.map((e) => [e.Name, e.Value]));
    expect({ host: env['ADMIN_HOST'], port: env['ADMIN_PORT'] }).toEqual({ host: '0.0.0.0', port: '8081' });
    expect(serveContainer().PortMappings.map((m) => m.ContainerPort)).toEqual([8080, 8081]);
  });

  it('admits port 8081 only from the admin-client security group, and the load balancer targets 8080 only', () => {
    const admin = groupId('checkin-gateway admin API');
    const clients = groupId('checkin-gateway admin clients');
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .map((r) => (r as { Properties: Record<string, unknown> }).Properties)
      .filter((p) => p.FromPort === 8081 || p.ToPort === 8081);
    expect(ingress).toEqual([
      expect.objectContaining({
        GroupId: { 'Fn::GetAtt': [admin, 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [clients, 'GroupId'] },
        IpProtocol: 'tcp',
        FromPort: 8081,
        ToPort: 8081,
      }),
    ]);
    const inline = onlyResource(template, 'AWS::EC2::SecurityGroup', (p) =>
      String(p.GroupDescription).startsWith('checkin-gateway admin API'),
    );
    expect(inline.SecurityGroupIngress).toBeUndefined();
    const service = onlyResource(
      template,
      'AWS::ECS::Service',
      (p) => p.ServiceName === 'checkin-gateway-serve',
    );
    const groups = (service.NetworkConfiguration as { AwsvpcConfiguration: { SecurityGroups: unknown[] } })
      .AwsvpcConfiguration.SecurityGroups;
    expect(groups).toContainEqual({ 'Fn::GetAtt': [admin, 'GroupId'] });
    const targets = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup')).map(
      (r) => (r as { Properties: { Port: number } }).Properties.Port,
    );
    expect(targets).toEqual([8080]);
  });

  it('reads OPERATOR_TOKENS from its own secret, a closed placeholder until put', () => {
    const secret = onlyResource(
      template,
      'AWS::SecretsManager::Secret',
      (p) => p.Name === 'checkin-gateway/operators',
    );
    expect(secret.SecretString).toBeUndefined();
    const generated = secret.GenerateSecretString as {
      SecretStringTemplate: string;
      GenerateStringKey: string;
    };
    expect(JSON.parse(generated.SecretStringTemplate)).toEqual({ OPERATOR_TOKENS: ',' });
    expect(generated.GenerateStringKey).toBe('unused');
  });

  it('alarms when a lane message waits past laneMessageAgeAlarmS, from the outbox backlog line', () => {
    const filter = onlyResource(template, 'AWS::Logs::MetricFilter', (p) =>
      JSON.stringify(p.MetricTransformations).includes('"MetricName":"LaneMessageOldestUndeliveredSeconds"'),
    );
    expect(filter.FilterPattern).toBe('{ $.event = "outbox-backlog" }');
    expect(filter.MetricTransformations).toEqual([
      expect.objectContaining({ MetricNamespace: 'CheckinGateway', MetricValue: '$.oldestUndeliveredS' }),
    ]);
    expect(filter.LogGroupName).toEqual({ Ref: expect.stringMatching(/^ServicesWorkTaskLogs/) });
    const alarm = onlyResource(
      template,
      'AWS::CloudWatch::Alarm',
      (p) => p.AlarmName === 'checkin-gateway-LaneMessagesUndelivered',
    );
    expect(alarm).toMatchObject({
      MetricName: 'LaneMessageOldestUndeliveredSeconds',
      Namespace: 'CheckinGateway',
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 600,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'ignore',
    });
  });

  it('alarms per lane from the per-lane lines, through a Metrics Insights query grouped by LaneId', () => {
    const filter = onlyResource(template, 'AWS::Logs::MetricFilter', (p) =>
      JSON.stringify(p.MetricTransformations).includes('LaneMessageOldestUndeliveredByLaneSeconds'),
    );
    expect(filter.FilterPattern).toBe('{ $.event = "lane-messages-behind" }');
    expect(filter.MetricTransformations).toEqual([
      expect.objectContaining({
        MetricNamespace: 'CheckinGateway',
        MetricValue: '$.oldestUndeliveredS',
        Dimensions: [{ Key: 'LaneId', Value: '$.laneId' }],
      }),
    ]);
    expect(filter.LogGroupName).toEqual({ Ref: expect.stringMatching(/^ServicesWorkTaskLogs/) });
    const alarm = onlyResource(
      template,
      'AWS::CloudWatch::Alarm',
      (p) => p.AlarmName === 'checkin-gateway-LaneMessagesUndeliveredByLane',
    );
    expect(alarm).toMatchObject({
      Threshold: 600,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      Metrics: [
        {
          Expression:
            'SELECT MAX(LaneMessageOldestUndeliveredByLaneSeconds) FROM SCHEMA("CheckinGateway", LaneId) GROUP BY LaneId ORDER BY MAX() DESC',
          Period: 300,
          ReturnData: true,
        },
      ],
    });
    expect(alarm.AlarmActions).toHaveLength(1);
    // The app writes the line this filter reads: the same event name and fields (src/admin/outbox-backlog-log.ts).
    const app = fs.readFileSync(path.join(__dirname, '../../src/admin/outbox-backlog-log.ts'), 'utf8');
    expect(app).toContain("export const LANE_BEHIND_EVENT = 'lane-messages-behind';");
    expect(app).toMatch(/logger\.warn\('lane messages behind', \{ event: LANE_BEHIND_EVENT, \.\.\.lane \}\)/);
    expect(app).toMatch(/readonly laneId: string;\s*readonly oldestUndeliveredS: number;/);
  });
});
