// Every cdk-nag AwsSolutions finding this stack accepts, acknowledged on the narrowest construct with the
// reason it is accepted (cdk-nag 3: `Validations.of(construct).acknowledge`, the successor of v2's
// NagSuppressions.addResourceSuppressions). Any finding not listed here fails test/nag.test.ts.
import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { CheckinGatewayStack } from './checkin-gateway-stack';

function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}

export function addNagSuppressions(stack: CheckinGatewayStack): void {
  const { database, secrets, services } = stack;

  acknowledge(
    database.secret,
    'AwsSolutions-SMG4',
    'The gateway builds DATABASE_URL once at task start, so a rotation Lambda changing the password under ' +
      'running tasks would break their new connections. Rotate during a deploy instead: ' +
      '`aws secretsmanager rotate-secret` with the hosted rotation set up by the operator, then ' +
      '`aws ecs update-service --force-new-deployment` for both services (README "AWS deployment").',
  );
  for (const secret of [secrets.vipps, secrets.webhook, secrets.controllerJwt, secrets.operators]) {
    acknowledge(
      secret,
      'AwsSolutions-SMG4',
      'Issued outside AWS, so no Lambda can rotate it: Vipps API keys are rotated in the Vipps merchant ' +
        'portal, webhook secrets with `checkin-gateway webhooks rotate` (old and new accepted during the ' +
        'overlap), controller JWT keys by the fleet owner (list old and new keys during the overlap), operator ' +
        'tokens by their operators (list old and new labels during the overlap).',
    );
  }
  acknowledge(
    database.cluster,
    'AwsSolutions-RDS6',
    'The gateway connects with the pg password from Secrets Manager (DATABASE_URL); IAM auth tokens expire ' +
      'after 15 minutes and would need token refresh in the app pool. Network access is limited to the ' +
      'services security groups and TLS is forced (rds.force_ssl=1).',
  );
  for (const task of [services.serveTask, services.workTask]) {
    acknowledge(
      task.taskDefinition,
      'AwsSolutions-ECS2',
      'Only non-secret configuration (queue URLs, region, ports, PUBLIC_WEBHOOK_URL, DB host/port/name) is ' +
        'plain environment; every secret is an ECS secret from Secrets Manager (asserted in test/stack.test.ts).',
    );
    const executionPolicy = task.taskDefinition.executionRole?.node.tryFindChild('DefaultPolicy');
    if (executionPolicy) {
      acknowledge(
        executionPolicy,
        'AwsSolutions-IAM5[Resource::*]',
        'ecr:GetAuthorizationToken supports no resource-level permissions (AWS requires "*"); the image ' +
          'pull actions themselves are limited to the one repository.',
      );
    }
  }
  acknowledge(
    services.serve.accessLogs,
    'AwsSolutions-S1',
    'This bucket only receives ALB access logs; server access logging for it would need another log ' +
      'bucket of its own (and so on). Public access is blocked, SSL enforced, objects expire after 90 days.',
  );
  const albSecurityGroup = services.serve.loadBalancer.connections.securityGroups[0];
  if (albSecurityGroup) {
    acknowledge(
      albSecurityGroup,
      'AwsSolutions-EC23',
      'Internet-facing webhook endpoint: Vipps MobilePay delivers from addresses it does not publish as a ' +
        'fixed list, and controllers connect from the field. Only 443 (HTTPS) and 80 (redirect to 443) are ' +
        'open; requests are authenticated by HMAC signature or JWT in the app.',
    );
  }
}
