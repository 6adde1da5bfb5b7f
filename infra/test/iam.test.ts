import { Template } from 'aws-cdk-lib/assertions';
import { synthStack } from './support/synth';

let template: Template;
beforeAll(() => {
  template = synthStack().template;
});

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
interface Policy {
  Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } };
}

const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** The statements of the inline policies attached to the role whose logical id starts with `prefix`. */
function statementsOfRole(prefix: string): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Policy[];
  const mine = policies.filter((p) => p.Properties.Roles.some((r) => r.Ref.startsWith(prefix)));
  if (mine.length === 0) throw new Error(`no policy for role ${prefix}`);
  return mine.flatMap((p) => p.Properties.PolicyDocument.Statement);
}

const getAtt = (prefix: string) => ({
  'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${prefix}[0-9A-F]{8}$`)), 'Arn'],
});

describe('task roles', () => {
  it('lets serve only send to the intake queue and read its attributes', () => {
    expect(statementsOfRole('ServicesServeTaskTaskRole')).toEqual([
      {
        Sid: 'EnqueueIntake',
        Effect: 'Allow',
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
        Resource: getAtt('QueuesIntake'),
      },
    ]);
  });

  it('lets work consume intake and timers, send to both and to the DLQ, and nothing else', () => {
    const consumeAndSend = [
      'sqs:ReceiveMessage',
      'sqs:DeleteMessage',
      'sqs:ChangeMessageVisibility',
      'sqs:SendMessage',
      'sqs:GetQueueAttributes',
    ];
    expect(statementsOfRole('ServicesWorkTaskTaskRole')).toEqual([
      { Sid: 'WorkIntake', Effect: 'Allow', Action: consumeAndSend, Resource: getAtt('QueuesIntake') },
      { Sid: 'WorkTimers', Effect: 'Allow', Action: consumeAndSend, Resource: getAtt('QueuesTimers') },
      {
        Sid: 'DeadLetter',
        Effect: 'Allow',
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
        Resource: getAtt('QueuesIntakeDlq'),
      },
    ]);
  });

  it('attaches no managed policies to any role', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role')) as {
      Properties: { ManagedPolicyArns?: unknown };
    }[];
    expect(roles.length).toBeGreaterThan(0);
    expect(roles.filter((r) => r.Properties.ManagedPolicyArns !== undefined)).toEqual([]);
  });
});

describe('execution roles', () => {
  const secretReads = (prefix: string): string[] =>
    statementsOfRole(prefix)
      .filter((s) => asList(s.Action).some((a) => a.startsWith('secretsmanager:')))
      .map((s) => {
        expect(s.Action).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']);
        return (s.Resource as { Ref: string }).Ref.replace(/[0-9A-F]{8}$/, '');
      })
      .sort();

  it('let each role read exactly the secrets its container names', () => {
    const shared = ['DatabaseCredentials', 'SecretsVipps', 'SecretsWebhook'];
    expect(secretReads('ServicesServeTaskTaskDefinitionExecutionRole')).toEqual(
      // serve also runs the admin listener, so it reads the operator tokens; work does not.
      [...shared, 'SecretsControllerJwt', 'SecretsOperators'].sort(),
    );
    expect(secretReads('ServicesWorkTaskTaskDefinitionExecutionRole')).toEqual(shared.sort());
  });

  it('limit image pulls to the one repository and logs to the role’s own group', () => {
    for (const role of ['Serve', 'Work']) {
      const statements = statementsOfRole(`Services${role}TaskTaskDefinitionExecutionRole`);
      const pull = statements.find((s) => asList(s.Action).includes('ecr:BatchGetImage'));
      expect(JSON.stringify(pull?.Resource)).toContain(
        ':ecr:eu-north-1:123456789012:repository/checkin-gateway"',
      );
      const logs = statements.find((s) => asList(s.Action).includes('logs:PutLogEvents'));
      expect(logs?.Resource).toEqual(getAtt(`Services${role}TaskLogs`));
    }
  });
});

describe('wildcards', () => {
  it('grant no wildcard action anywhere and "*" resources only where AWS requires it', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Policy[];
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.length).toBeGreaterThan(5);
    expect(statements.flatMap((s) => asList(s.Action)).filter((a) => a.includes('*'))).toEqual([]);
    const starResources = statements.filter((s) => asList(s.Resource).includes('*'));
    // ecr:GetAuthorizationToken has no resource-level permissions: one per execution role.
    expect(starResources.map((s) => s.Action)).toEqual([
      'ecr:GetAuthorizationToken',
      'ecr:GetAuthorizationToken',
    ]);
  });
});
