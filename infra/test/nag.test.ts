// cdk-nag 3 runs as a CDK policy-validation plugin (`Validations.of(app).addPlugins(...)` in bin/app.ts,
// which fails `cdk synth` on a finding); `validateScope` is its documented entry point for tests.
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { synthStack } from './support/synth';

type Violation = { ruleName: string; violatingResources: { constructPath?: string }[] };

function findings(acknowledgeNagFindings: boolean): string[] {
  const { app, stack } = synthStack({}, { acknowledgeNagFindings });
  const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(stack);
  return (report.violations as Violation[])
    .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath ?? '?'}`))
    .sort();
}

describe('cdk-nag AwsSolutions', () => {
  it('reports nothing that is not acknowledged with a reason', () => {
    expect(findings(true)).toEqual([]);
  });

  it('needs every acknowledgement: without them exactly these findings appear', () => {
    expect(findings(false)).toEqual(
      [
        'AwsSolutions-EC23 CheckinGateway/Services/Serve/Alb/SecurityGroup/Resource',
        'AwsSolutions-ECS2 CheckinGateway/Services/ServeTask/TaskDefinition/Resource',
        'AwsSolutions-ECS2 CheckinGateway/Services/WorkTask/TaskDefinition/Resource',
        'AwsSolutions-IAM5[Resource::*] CheckinGateway/Services/ServeTask/TaskDefinition/ExecutionRole/DefaultPolicy/Resource',
        'AwsSolutions-IAM5[Resource::*] CheckinGateway/Services/WorkTask/TaskDefinition/ExecutionRole/DefaultPolicy/Resource',
        'AwsSolutions-RDS6 CheckinGateway/Database/Cluster/Resource',
        'AwsSolutions-S1 CheckinGateway/Services/Serve/AccessLogs/Resource',
        'AwsSolutions-SMG4 CheckinGateway/Database/Credentials/Resource',
        'AwsSolutions-SMG4 CheckinGateway/Secrets/ControllerJwt/Resource',
        'AwsSolutions-SMG4 CheckinGateway/Secrets/Operators/Resource',
        'AwsSolutions-SMG4 CheckinGateway/Secrets/Vipps/Resource',
        'AwsSolutions-SMG4 CheckinGateway/Secrets/Webhook/Resource',
      ].sort(),
    );
  });

  it('gives every acknowledgement a reason an operator can act on', () => {
    const { stack } = synthStack();
    // acknowledge() records `{[qualified id]: reason}` metadata on the construct, the audit trail cdk-nag reads.
    const acknowledged = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .filter(([id]) => id.includes('AwsSolutions-'));
    expect(acknowledged.map(([id]) => id.slice(id.indexOf('AwsSolutions-'))).sort()).toEqual([
      'AwsSolutions-EC23',
      'AwsSolutions-ECS2',
      'AwsSolutions-ECS2',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-RDS6',
      'AwsSolutions-S1',
      'AwsSolutions-SMG4',
      'AwsSolutions-SMG4',
      'AwsSolutions-SMG4',
      'AwsSolutions-SMG4',
      'AwsSolutions-SMG4',
    ]);
    for (const [, reason] of acknowledged) expect(reason.length).toBeGreaterThan(80);
  });
});
